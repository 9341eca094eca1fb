import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const COMMITTED = join(ROOT, 'src/worker-configuration.d.ts');

/** The generated declarations without what depends on where they were written: the header and the main module's relative path. */
const body = (text: string) =>
  text
    .split('\n')
    .slice(2)
    .join('\n')
    .replace(/typeof import\("[^"]*"\)/g, 'typeof import(main)');

describe('src/worker-configuration.d.ts', () => {
  it('is what `wrangler types` makes of wrangler.toml today (run `npm run types` after changing it)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'userauth-types-'));
    try {
      const out = join(dir, 'worker-configuration.d.ts');
      // --env-file /dev/null: a developer's .dev.vars (secrets) must not leak into the types.
      execFileSync(join(ROOT, 'node_modules/.bin/wrangler'), ['types', out, '--include-runtime=false', '--strict-vars=false', '--env-file', '/dev/null'], {
        cwd: ROOT,
        env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
        stdio: 'pipe',
      });
      expect(body(readFileSync(COMMITTED, 'utf8'))).toBe(body(readFileSync(out, 'utf8')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
