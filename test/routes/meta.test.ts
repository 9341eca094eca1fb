import { env } from 'cloudflare:workers';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import lock from '../../package-lock.json';
import { AuthorizationServerSchema, HealthSchema, JwksSchema, RolesSchema, ServiceInfoSchema } from '../../src/routes/meta/meta.routes';
import { body, call, get, post } from '../helpers/api';
import { signedIn } from '../helpers/factories';
import { claimsOf, CURRENT_JWK, PREVIOUS_JWK } from '../helpers/jwt';
import { expectProblem, expectUnauthorized } from '../helpers/problems';

describe('GET /', () => {
  it('names the service, its version and its documents', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    expect(ServiceInfoSchema.parse(await body(res))).toEqual({
      name: 'UserAuth on the edge',
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      docs: '/docs',
      redocs: '/redocs',
      openapi: '/openapi.json',
    });
  });
});

describe('GET /health', () => {
  it('answers ok without touching storage', async () => {
    const res = await get('/health');
    expect(res.status).toBe(200);
    expect(HealthSchema.parse(await body(res))).toEqual({ status: 'ok' });
  });

  it('checks D1, KV and R2 with ?deep=1', async () => {
    const res = await get('/health?deep=1');
    expect(res.status).toBe(200);
    expect(HealthSchema.parse(await body(res))).toEqual({ status: 'ok', checks: { d1: 'ok', kv: 'ok', r2: 'ok' } });
  });

  it('answers 422 for another value of deep', async () => {
    await expectProblem(await get('/health?deep=yes'), 422);
  });
});

describe('GET /.well-known/jwks.json', () => {
  it('publishes the current and the previous public key, and no private part', async () => {
    const res = await get('/.well-known/jwks.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    const text = await res.clone().text();
    const jwks = JwksSchema.parse(JSON.parse(text));
    expect(jwks.keys.map((k) => k.kid)).toEqual(['test-current', 'test-previous']);
    expect(jwks.keys[0]).toMatchObject({ x: CURRENT_JWK.x, y: CURRENT_JWK.y, alg: 'ES256', use: 'sig' });
    expect(jwks.keys[1]).toMatchObject({ x: PREVIOUS_JWK.x, y: PREVIOUS_JWK.y });
    for (const key of JSON.parse(text).keys) expect(Object.keys(key).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
    expect(text).not.toContain(CURRENT_JWK.d!);
  });

  it('verifies an issued access token offline, as another service would', async () => {
    const user = await signedIn();
    const jwks = createLocalJWKSet(await body(await get('/.well-known/jwks.json')));
    const { payload, protectedHeader } = await jwtVerify(user.access, jwks, {
      algorithms: ['ES256'],
      typ: 'at+jwt',
      issuer: env.JWT_ISSUER as string,
      audience: env.JWT_AUDIENCE as string,
    });
    expect(payload.sub).toBe(user.uuid);
    expect(protectedHeader.kid).toBe('test-current');
  });
});

describe('GET /.well-known/oauth-authorization-server', () => {
  it("is RFC 8414 metadata whose issuer is the access tokens' iss and whose endpoints answer", async () => {
    const res = await get('/.well-known/oauth-authorization-server', { headers: { host: 'evil.example' } });
    expect(res.status).toBe(200);
    const meta = AuthorizationServerSchema.parse(await res.json());
    const issuer = env.JWT_ISSUER as string;
    expect(meta.issuer).toBe(issuer);
    expect(meta.token_endpoint).toBe(`${issuer}/token`);
    expect(meta.revocation_endpoint).toBe(`${issuer}/token/revoke`);
    expect(meta.jwks_uri).toBe(`${issuer}/.well-known/jwks.json`);
    expect(meta.grant_types_supported).toEqual([
      'password',
      'refresh_token',
      'http://auth0.com/oauth/grant-type/mfa-otp',
      'http://auth0.com/oauth/grant-type/mfa-recovery-code',
      'client_credentials',
    ]);
    expect(meta.token_endpoint_auth_methods_supported).toEqual(['none', 'client_secret_basic']);
    expect(JSON.stringify(meta)).not.toContain('evil.example');
    const user = await signedIn();
    expect(claimsOf(user.access).iss).toBe(meta.issuer);
  });
});

describe('GET /roles', () => {
  it('lists the three roles with descriptions to any signed-in user', async () => {
    const user = await signedIn('celebrity');
    const res = await get('/roles', { token: user.access });
    expect(res.status).toBe(200);
    expect(RolesSchema.parse(await body(res)).map((r) => r.name)).toEqual(['normal', 'celebrity', 'admin']);
  });

  it('answers 401 without a token', async () => {
    await expectUnauthorized(await get('/roles'), false);
  });
});

/** The versions the lockfile pins: what /vendor/ must serve and the pages must link. */
const pinned = (name: string) => (lock.packages as Record<string, { version: string }>)[`node_modules/${name}`]!.version;
const scriptSrcs = (html: string) => [...html.matchAll(/<script[^>]*\bsrc="([^"]+)"/g)].map((m) => m[1]);
const styleHrefs = (html: string) => [...html.matchAll(/<link[^>]*\brel="stylesheet"[^>]*\bhref="([^"]+)"/g)].map((m) => m[1]);

describe('GET /docs and /redocs', () => {
  it('serves Swagger UI from this Worker (the pinned swagger-ui-dist), reading /openapi.json, not keeping the login', async () => {
    const res = await get('/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    const base = `/vendor/swagger-ui-dist@${pinned('swagger-ui-dist')}`;
    expect(scriptSrcs(html)).toEqual([`${base}/swagger-ui-bundle.js`]);
    expect(styleHrefs(html)).toEqual([`${base}/swagger-ui.css`]);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).toContain('SwaggerUIBundle(');
    expect(html).toContain("url: '/openapi.json'");
    expect(html).toContain('persistAuthorization: false');
    expect(html).toContain('validatorUrl: null');
  });

  it('serves ReDoc from this Worker (the pinned redoc standalone bundle), reading /openapi.json', async () => {
    const res = await get('/redocs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(scriptSrcs(html)).toEqual([`/vendor/redoc@${pinned('redoc')}/bundles/redoc.standalone.js`]);
    expect(styleHrefs(html)).toEqual([]);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).toContain('<redoc spec-url="/openapi.json"></redoc>');
  });
});

describe('every response', () => {
  it('carries the security headers, errors included', async () => {
    for (const res of [await get('/'), await get('/no/such/thing'), await get('/user/me')]) {
      expect(res.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    }
  });

  it('answers an unknown path 404 and a known path with another method 405 with Allow', async () => {
    await expectProblem(await get('/no/such/thing'), 404);
    const res = await call('PUT', '/user/me');
    await expectProblem(res.clone(), 405);
    expect(res.headers.get('allow')).toBe('DELETE, GET, HEAD, PATCH');
  });

  it('answers 413 for a JSON body above 64 KiB', async () => {
    const res = await post('/user', { body: JSON.stringify({ name: 'x'.repeat(70_000) }), headers: { 'content-type': 'application/json' } });
    await expectProblem(res, 413);
  });
});
