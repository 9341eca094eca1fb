// `tsx scripts/vendor-assets.ts`: copies the documentation pages' third-party files (Swagger UI,
// ReDoc; the list is src/routes/docs/vendor.ts) from node_modules into public/vendor/<package>@<version>/,
// the Worker's static assets (wrangler.toml [assets]). public/vendor/ is not in git: every way
// of running the Worker makes it first (npm test, npm start, npm run deploy, the dev server of
// the Node and browser tests, the Workers suite's vitest.config.ts), so a clean clone needs only
// `npm ci`. public/_headers (in git) gives these files immutable caching and nosniff.
//
// Safe to run often and concurrently: a file already identical is left alone (no rewrite, so a
// running `wrangler dev` sees no change), a changed one is written beside it and renamed into
// place (a reader sees the old file or the new one, never half of one), and whatever else is
// under public/vendor/ (an older version after an upgrade) is removed.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { VENDOR_PACKAGES, VENDOR_PREFIX, vendorDir } from '../src/routes/docs/vendor';

const ROOT = resolve(import.meta.dirname, '..');
/** The Worker's assets directory (wrangler.toml `[assets] directory`). */
export const ASSETS_DIR = join(ROOT, 'public');
const VENDOR_DIR = join(ASSETS_DIR, VENDOR_PREFIX.slice(1));
/** Beside the project, on the same file system (rename needs that), outside what wrangler uploads. */
const STAGING_DIR = join(ROOT, 'node_modules/.cache/vendor-assets');

export interface VendorResult {
  /** Files written because they were missing or different. */
  written: string[];
  /** Files already up to date. */
  unchanged: number;
  /** What was under public/vendor/ and is no longer wanted (paths relative to public/). */
  removed: string[];
}

const sameContent = (a: string, b: string) => existsSync(b) && statSync(a).size === statSync(b).size && readFileSync(a).equals(readFileSync(b));

/** Every file and directory under `dir`, deepest first (so a directory comes after its contents). */
function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    return e.isDirectory() ? [...walk(path), path] : [path];
  });
}

/** Brings public/vendor/ to exactly the files VENDOR_PACKAGES lists, at the installed versions. */
export function vendorAssets(): VendorResult {
  const result: VendorResult = { written: [], unchanged: 0, removed: [] };
  const wanted = new Set<string>();
  for (const pkg of VENDOR_PACKAGES) {
    const installed = join(ROOT, 'node_modules', pkg.name);
    const { version } = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { version: string };
    if (version !== pkg.version) throw new Error(`vendor-assets: node_modules/${pkg.name} is ${version}, the Worker was built for ${pkg.version}; run npm ci`);
    for (const file of pkg.files) {
      const from = join(installed, file);
      const to = join(ASSETS_DIR, vendorDir(pkg), file);
      if (!existsSync(from)) throw new Error(`vendor-assets: ${relative(ROOT, from)} is missing; run npm ci`);
      wanted.add(to);
      if (sameContent(from, to)) {
        result.unchanged++;
        continue;
      }
      mkdirSync(dirname(to), { recursive: true });
      mkdirSync(STAGING_DIR, { recursive: true });
      const staged = join(STAGING_DIR, `${process.pid}-${Math.random().toString(36).slice(2)}`);
      copyFileSync(from, staged);
      renameSync(staged, to);
      result.written.push(relative(ASSETS_DIR, to));
    }
  }
  // A directory stays while it holds a wanted file (walk lists contents before their directory).
  const kept = [...wanted].flatMap((file) => {
    const dirs: string[] = [];
    for (let d = dirname(file); d.startsWith(VENDOR_DIR) && d !== VENDOR_DIR; d = dirname(d)) dirs.push(d);
    return dirs;
  });
  const keep = new Set([...wanted, ...kept]);
  for (const path of walk(VENDOR_DIR)) {
    if (keep.has(path)) continue;
    rmSync(path, { recursive: true, force: true });
    result.removed.push(relative(ASSETS_DIR, path));
  }
  return result;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const { written, unchanged, removed } = vendorAssets();
    const parts = [`${written.length} written`, `${unchanged} up to date`, ...(removed.length ? [`${removed.length} removed`] : [])];
    console.log(`vendor-assets: public/vendor/ ${parts.join(', ')} (${VENDOR_PACKAGES.map((p) => `${p.name}@${p.version}`).join(', ')})`);
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
}
