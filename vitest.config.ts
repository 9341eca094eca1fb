import { fileURLToPath } from 'node:url';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { testSigningKeys } from './test/setup/keys.ts';

export default defineConfig(async () => {
  const migrations = await readD1Migrations(fileURLToPath(new URL('./migrations', import.meta.url)));
  const keys = await testSigningKeys();
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: './wrangler.toml' },
        miniflare: {
          // Test-only secrets: fresh keys made for this run, never a committed key.
          bindings: {
            TEST_MIGRATIONS: migrations,
            JWT_PRIVATE_KEY: keys.current,
            JWT_PREVIOUS_PUBLIC_KEY: keys.previousPublic,
            TEST_PREVIOUS_PRIVATE_KEY: keys.previous,
            // Cheaper hashing keeps the suite fast; production stays at 100,000 (tested in unit tests).
            PASSWORD_ITERATIONS: '10000',
            PASSWORD_PEPPER: keys.pepper,
            // test/fuzz: `npm run fuzz` sets FUZZ_RUNS (and FUZZ_SEED to replay a run); unset in `npm test`.
            FUZZ_RUNS: process.env.FUZZ_RUNS ?? '',
            FUZZ_SEED: process.env.FUZZ_SEED ?? '',
          },
        },
      }),
    ],
    test: {
      setupFiles: ['./test/setup/apply-migrations.ts'],
      include: ['test/**/*.test.ts'],
      // test/node runs under Node (vitest.node.config.ts): swagger-parser cannot run in workerd.
      exclude: ['test/node/**', 'node_modules/**'],
      testTimeout: 20_000,
    },
  };
});
