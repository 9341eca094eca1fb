import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey } from '../../scripts/generate-key';
import { type DevServer, ROOT, startDevServer } from '../../scripts/lib/dev-server';
import { REDOC, SWAGGER_UI, VENDOR_PACKAGES, vendorDir } from '../../src/routes/docs/vendor';

/**
 * The docs' vendored files as the Worker serves them: Workers static assets (wrangler.toml
 * [assets], public/vendor/ made by scripts/vendor-assets.ts), answered before the Worker runs.
 * The Workers suite cannot see them (`exports.default.fetch` reaches the Worker itself, not the
 * asset router), so this runs the real thing: `wrangler dev`, whose start copies the files.
 */
let server: DevServer;

beforeAll(async () => {
  const { privateJwk } = await generateSigningKey('assets-test');
  server = await startDevServer({ secrets: { JWT_PRIVATE_KEY: JSON.stringify(privateJwk) } });
}, 180_000);

afterAll(async () => {
  await server?.stop();
});

const lockVersion = (name: string) =>
  (JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version: string }> }).packages[`node_modules/${name}`]
    ?.version;

const TYPES: Record<string, RegExp> = { js: /^text\/javascript/, css: /^text\/css/ };

describe('the vendored Swagger UI and ReDoc files', () => {
  it('are the versions the lockfile pins', () => {
    expect(SWAGGER_UI.version).toBe(lockVersion('swagger-ui-dist'));
    expect(REDOC.version).toBe(lockVersion('redoc'));
  });

  for (const pkg of VENDOR_PACKAGES) {
    for (const file of pkg.files) {
      it(`serves /${vendorDir(pkg)}/${file}: the package's bytes, its type, nosniff, cached as immutable`, async () => {
        const res = await fetch(`${server.url}/${vendorDir(pkg)}/${file}`);
        expect(res.status).toBe(200);
        const ext = file.split('.').pop()!;
        if (TYPES[ext]) expect(res.headers.get('content-type')).toMatch(TYPES[ext]);
        expect(res.headers.get('x-content-type-options')).toBe('nosniff');
        expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
        expect(res.headers.get('cross-origin-resource-policy')).toBe('same-origin');
        expect(Buffer.from(await res.arrayBuffer()).equals(readFileSync(join(ROOT, 'node_modules', pkg.name, file)))).toBe(true);
      });
    }
  }

  it('serves every script and stylesheet /docs and /redocs link, from this origin', async () => {
    for (const page of ['/docs', '/redocs']) {
      const html = await (await fetch(`${server.url}${page}`)).text();
      const urls = [...html.matchAll(/<(?:script|link)[^>]*\b(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
      expect(urls.length, page).toBeGreaterThan(0);
      for (const url of urls) {
        expect(url, page).toMatch(/^\/vendor\//);
        expect((await fetch(`${server.url}${url}`)).status, url).toBe(200);
      }
    }
  });

  it('leaves every other path to the Worker: another version, the headers file, the API', async () => {
    for (const path of [`/vendor/${SWAGGER_UI.name}@0.0.0/swagger-ui-bundle.js`, '/vendor/', '/_headers']) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type'), path).toBe('application/problem+json');
    }
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });
});
