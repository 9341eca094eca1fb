import { fileURLToPath } from 'node:url';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { testSigningKeys } from './test/setup/keys.ts';

const AUDIT_TEST_QUEUE = 'userauth-audit-test';
/** The consumer of the test queue: keeps each message it receives and lists them on fetch. */
const AUDIT_SINK_SCRIPT = `
const received = [];
export default {
  queue(batch) {
    for (const m of batch.messages) received.push({ queue: batch.queue, id: m.id, attempts: m.attempts, body: m.body });
    batch.ackAll();
  },
  fetch() {
    return Response.json(received);
  },
};
`;

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
            MFA_ENCRYPTION_KEY: keys.mfa,
            // test/fuzz: `npm run fuzz` sets FUZZ_RUNS (and FUZZ_SEED to replay a run); unset in `npm test`.
            FUZZ_RUNS: process.env.FUZZ_RUNS ?? '',
            FUZZ_SEED: process.env.FUZZ_SEED ?? '',
          },
          // The audit export's proof of delivery (test/routes/audit-queue.test.ts): a real local queue
          // whose producer the tests bind as AUDIT_QUEUE per request (under another name here, so no
          // other test exports), consumed by the auxiliary worker below, never by this worker.
          queueProducers: { TEST_AUDIT_QUEUE: { queueName: AUDIT_TEST_QUEUE } },
          serviceBindings: { TEST_AUDIT_SINK: 'audit-sink' },
          workers: [
            {
              name: 'audit-sink',
              modules: true,
              compatibilityDate: '2026-10-20',
              queueConsumers: { [AUDIT_TEST_QUEUE]: { maxBatchSize: 100, maxBatchTimeout: 0, maxRetries: 0 } },
              script: AUDIT_SINK_SCRIPT,
            },
          ],
        },
      }),
    ],
    test: {
      setupFiles: ['./test/setup/apply-migrations.ts'],
      include: ['test/**/*.test.ts'],
      // test/node runs under Node (vitest.node.config.ts): swagger-parser cannot run in workerd;
      // test/browser drives Chromium from Node (vitest.browser.config.ts).
      exclude: ['test/node/**', 'test/browser/**', 'node_modules/**'],
      testTimeout: 20_000,
    },
  };
});
