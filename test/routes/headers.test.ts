import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import worker from '../../src/index';
import { JSON_LIMIT } from '../../src/middleware/body-limit';
import { API_CSP } from '../../src/middleware/security-headers';
import { inlineScriptHashes } from '../../src/routes/docs/docs.csp';
import { BASE, body, call, get, patch, post } from '../helpers/api';
import { createUser, signedIn } from '../helpers/factories';

function expectSecurityHeaders(res: Response, csp = API_CSP) {
  expect(res.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  expect(res.headers.get('x-frame-options')).toBe('DENY');
  expect(res.headers.get('content-security-policy')).toBe(csp);
}

const noStore = (res: Response) => expect(res.headers.get('cache-control')).toBe('no-store');

describe('security headers on successful responses', () => {
  it('are on public JSON routes', async () => {
    for (const path of ['/', '/health', '/roles', '/.well-known/jwks.json', '/openapi.json']) {
      const res = await get(path, path === '/roles' ? { token: (await signedIn()).access } : {});
      expect(res.status, path).toBe(200);
      expectSecurityHeaders(res);
    }
  });

  it('are on user data, which is never stored by a cache', async () => {
    const admin = await signedIn('admin');
    for (const path of ['/user/me', `/user/${admin.uuid}`, '/user', '/user/me/logins', '/logins', '/user/me/sessions']) {
      const res = await get(path, { token: admin.access });
      expect(res.status, path).toBe(200);
      expectSecurityHeaders(res);
      noStore(res);
    }
    const patched = await patch('/user/me', { token: admin.access, json: { city: 'Oslo' } });
    expect(patched.status).toBe(200);
    noStore(patched);
  });

  it('are on a new sign-up (201) and keep it out of caches', async () => {
    const res = await post('/user', {
      json: {
        username: `hdr${crypto.randomUUID().slice(0, 8)}`,
        email: `hdr${crypto.randomUUID().slice(0, 8)}@example.com`,
        password: 'violet lantern harbour 42',
        name: 'A',
        surname: 'B',
      },
    });
    expect(res.status).toBe(201);
    expectSecurityHeaders(res);
    noStore(res);
  });

  it('let only documents without user data be cached', async () => {
    expect((await get('/openapi.json')).headers.get('cache-control')).toMatch(/^public/);
    const health = await get('/health');
    noStore(health);
  });
});

describe('security headers on /token', () => {
  it('are on a token response, with no-store and Pragma: no-cache (RFC 6749 §5.1)', async () => {
    const user = await createUser();
    const res = await post('/token', { form: { grant_type: 'password', username: user.username, password: user.password } });
    expect(res.status).toBe(200);
    expectSecurityHeaders(res);
    noStore(res);
    expect(res.headers.get('pragma')).toBe('no-cache');
  });

  it('are on token errors too', async () => {
    const forms: Record<string, string>[] = [{ grant_type: 'password', username: 'nobody-here', password: 'wrong password here' }, { grant_type: 'magic' }];
    for (const form of forms) {
      const res = await post('/token', { form });
      expect(res.status).toBe(400);
      expectSecurityHeaders(res);
      noStore(res);
    }
  });
});

describe('security headers on errors', () => {
  const cases: [string, () => Promise<Response>, number][] = [
    ['400 unparseable body', () => call('POST', '/user', { body: '{', headers: { 'content-type': 'application/json' } }), 400],
    ['401 no token', () => get('/user/me'), 401],
    ['401 bad token', () => get('/user/me', { token: 'not.a.jwt' }), 401],
    ['404 unknown path', () => get('/nowhere'), 404],
    ['405 wrong method', () => call('PUT', '/user/me'), 405],
    ['413 too large', () => call('POST', '/user', { body: 'x'.repeat(JSON_LIMIT + 1), headers: { 'content-type': 'application/json' } }), 413],
    ['415 wrong type', () => call('POST', '/user', { body: 'x', headers: { 'content-type': 'text/plain' } }), 415],
    ['422 invalid body', () => post('/user', { json: {} }), 422],
  ];
  for (const [name, send, status] of cases) {
    it(`are on a ${name}`, async () => {
      const res = await send();
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expectSecurityHeaders(res);
      noStore(res);
    });
  }

  it('are on a 403', async () => {
    const user = await signedIn();
    const res = await get('/user', { token: user.access });
    expect(res.status).toBe(403);
    expectSecurityHeaders(res);
  });

  it('are on a 5xx from a misconfigured worker, which leaks nothing', async () => {
    const ctx = createExecutionContext();
    const res = await worker.fetch(new Request(`${BASE}/user/me`), { ...env, PASSWORD_ITERATIONS: '1000000' }, ctx);
    await waitOnExecutionContext(ctx);
    expect(res.status).toBeGreaterThanOrEqual(500);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expectSecurityHeaders(res);
    noStore(res);
    expect(JSON.stringify(await body(res))).not.toMatch(/1000000|stack|\.ts/);
  });
});

/** A policy as its directives: `{ 'script-src': ["'self'", …], … }`. */
const directivesOf = (csp: string): Record<string, string[]> =>
  Object.fromEntries(
    csp
      .split(';')
      .map((d) => d.trim().split(/\s+/))
      .map(([name, ...values]) => [name, values]),
  );

/** Sources that name no origin: keywords, hashes, and the data:/blob: schemes (which load nothing from the network). */
const NO_ORIGIN = /^(?:'(?:self|none|unsafe-inline|sha256-[A-Za-z0-9+/]+={0,2})'|data:|blob:)$/;

const scriptSrcs = (html: string) => [...html.matchAll(/<script[^>]*\bsrc="([^"]+)"/g)].map((m) => m[1]!);
const styleHrefs = (html: string) => [...html.matchAll(/<link[^>]*\bhref="([^"]+)"/g)].map((m) => m[1]!);

describe('Content-Security-Policy of the documentation pages', () => {
  it('lets /docs run Swagger UI from this Worker only, plus exactly its inline bootstrap by hash, and no inline style', async () => {
    const res = await get('/docs');
    expect(res.status).toBe(200);
    const html = await res.text();
    const directives = directivesOf(res.headers.get('content-security-policy') ?? '');
    // Scripts and styles come from this origin, as paths; the policy names no other origin.
    expect([...scriptSrcs(html), ...styleHrefs(html)].every((url) => url.startsWith('/vendor/'))).toBe(true);
    for (const [name, values] of Object.entries(directives)) for (const v of values) expect(v, name).toMatch(NO_ORIGIN);
    expect(directives['script-src']).toContain("'self'");
    // Its stylesheet only: Swagger UI sets its styles through the CSSOM, so no 'unsafe-inline'.
    expect(directives['style-src']).toEqual(["'self'"]);
    // The inline bootstrap runs because its hash is listed, not because inline scripts are allowed.
    const hashes = await inlineScriptHashes(html);
    expect(hashes.length).toBe(1);
    expect(directives['script-src']).toEqual(["'self'", `'sha256-${hashes[0]}'`]);
    expect(directives['connect-src']).toEqual(["'self'"]);
    expect(directives['default-src']).toEqual(["'none'"]);
    expect(directives['frame-ancestors']).toEqual(["'none'"]);
    expect(directives['base-uri']).toEqual(["'none'"]);
    expect(res.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
  });

  it('does not give the docs policy to anything else', async () => {
    expectSecurityHeaders(await get('/docs/anything'));
    expectSecurityHeaders(await get('/openapi.json'));
  });

  it('lets /redocs run ReDoc from this Worker only: no inline script, inline styles, its search worker from blob:', async () => {
    const res = await get('/redocs');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(await inlineScriptHashes(html)).toEqual([]);
    expect(scriptSrcs(html).every((url) => url.startsWith('/vendor/'))).toBe(true);
    const directives = directivesOf(res.headers.get('content-security-policy') ?? '');
    for (const [name, values] of Object.entries(directives)) for (const v of values) expect(v, name).toMatch(NO_ORIGIN);
    expect(directives).toEqual({
      'default-src': ["'none'"],
      'script-src': ["'self'"],
      'style-src': ["'unsafe-inline'"],
      'img-src': ["'self'", 'data:'],
      'connect-src': ["'self'"],
      'worker-src': ['blob:'],
      'frame-ancestors': ["'none'"],
      'base-uri': ["'none'"],
      'form-action': ["'none'"],
    });
  });
});
