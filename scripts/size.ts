// `npm run size`: the bundle as Cloudflare would receive it, minified and gzipped.
// Builds with `wrangler deploy --dry-run --minify --outdir <tmp>` (nothing is uploaded) and
// gzips each output file here with zlib (default level 6), so the figure does not depend on how a
// wrangler version rounds or labels its own "gzip:" line. Workers' limit applies to this
// compressed size (3 MB on the free plan, 10 MB on paid).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

const root = resolve(import.meta.dirname, '..');
const out = mkdtempSync(join(tmpdir(), 'userauth-size-'));
const kib = (n: number) => `${(n / 1024).toFixed(2)} KiB`;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

try {
  const env = { ...process.env, PATH: `${join(root, 'node_modules/.bin')}:${process.env.PATH}`, WRANGLER_SEND_METRICS: 'false' };
  execFileSync(join(root, 'node_modules/.bin/wrangler'), ['deploy', '--dry-run', '--minify', '--outdir', out], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // Source maps and the README wrangler writes are not uploaded as code.
  const code = files(out).filter((f) => /\.(m?js|wasm)$/.test(f));
  let raw = 0;
  let gz = 0;
  console.log('| file | minified | minified gzip |\n|---|---:|---:|');
  for (const f of code) {
    const bytes = readFileSync(f);
    const g = gzipSync(bytes).length;
    raw += bytes.length;
    gz += g;
    console.log(`| ${relative(out, f)} | ${kib(bytes.length)} | ${kib(g)} |`);
  }
  console.log(`| **total** | **${kib(raw)}** | **${kib(gz)}** |`);
} finally {
  rmSync(out, { recursive: true, force: true });
}
