import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import worker from '../../src/index';
import { BASE } from '../helpers/api';
import { signedIn } from '../helpers/factories';

const APP = 'https://app.example';
const OTHER = 'https://evil.example';
/** One env object for the file, so the configuration is parsed once (as in an isolate). */
const corsEnv = { ...env, CORS_ORIGINS: ` ${APP} , http://localhost:5173,*,null,https://slash.example/ ` };

async function fetchWith(path: string, init: RequestInit & { headers?: Record<string, string> } = {}, withEnv: object = corsEnv) {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(`${BASE}${path}`, init), withEnv as typeof env, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

const preflight = (path: string, origin: string, method = 'POST', headers = 'authorization, content-type') =>
  fetchWith(path, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': headers } });

const corsHeaders = (res: Response) => [...res.headers.keys()].filter((k) => k.startsWith('access-control-'));
const varyHasOrigin = (res: Response) => (res.headers.get('vary') ?? '').split(',').some((v) => v.trim().toLowerCase() === 'origin');

describe('CORS preflight', () => {
  it('answers 204 to a listed origin with methods, headers and max-age, without credentials', async () => {
    const res = await preflight('/user/me', APP, 'PATCH');
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(APP);
    expect(res.headers.get('access-control-allow-methods')).toBe('GET, POST, PUT, PATCH, DELETE');
    expect(res.headers.get('access-control-allow-headers')).toBe('Authorization, Content-Type');
    expect(res.headers.get('access-control-max-age')).toBe('600');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    expect(varyHasOrigin(res)).toBe(true);
    expect(await res.text()).toBe('');
  });

  it('answers a second listed origin with its own origin, never another', async () => {
    const res = await preflight('/token', 'http://localhost:5173');
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
  });

  it('gives an unlisted origin no CORS headers at all', async () => {
    for (const origin of [OTHER, `${APP}.evil.example`, 'http://app.example', `${APP}:443x`, 'null', '*', 'https://slash.example', 'https://APP.example']) {
      const res = await preflight('/user/me', origin, 'GET');
      expect(res.status, origin).not.toBe(204);
      expect(corsHeaders(res), origin).toEqual([]);
      expect(varyHasOrigin(res)).toBe(true);
    }
  });

  it('gives no CORS headers when CORS_ORIGINS is empty (the default)', async () => {
    const res = await fetchWith(
      '/health',
      { method: 'OPTIONS', headers: { origin: APP, 'access-control-request-method': 'GET' } },
      { ...env, CORS_ORIGINS: '' },
    );
    expect(corsHeaders(res)).toEqual([]);
    expect(varyHasOrigin(res)).toBe(true);
  });

  it('still carries the security headers', async () => {
    const res = await preflight('/user', APP);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
  });
});

describe('CORS on actual requests', () => {
  it('allows a listed origin to read a success and exposes Retry-After and WWW-Authenticate', async () => {
    const res = await fetchWith('/health', { headers: { origin: APP } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(APP);
    expect(res.headers.get('access-control-expose-headers')).toMatch(/Retry-After/);
    expect(res.headers.get('access-control-expose-headers')).toMatch(/WWW-Authenticate/);
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    expect(varyHasOrigin(res)).toBe(true);
  });

  it('allows a listed origin to read errors too (401 with its challenge, 404)', async () => {
    const unauthorized = await fetchWith('/user/me', { headers: { origin: APP } });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get('access-control-allow-origin')).toBe(APP);
    const missing = await fetchWith('/nowhere', { headers: { origin: APP } });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('access-control-allow-origin')).toBe(APP);
  });

  it('works with a bearer token from a listed origin', async () => {
    const user = await signedIn();
    const res = await fetchWith('/user/me', { headers: { origin: APP, authorization: `Bearer ${user.access}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(APP);
  });

  it('never reflects an unlisted origin nor answers with *', async () => {
    for (const origin of [OTHER, 'null', '*']) {
      const res = await fetchWith('/health', { headers: { origin } });
      expect(res.status).toBe(200);
      expect(corsHeaders(res)).toEqual([]);
      expect(varyHasOrigin(res)).toBe(true);
    }
  });

  it('sends Vary: Origin on responses to requests without an Origin', async () => {
    for (const path of ['/health', '/', '/openapi.json', '/nowhere']) {
      const res = await fetchWith(path);
      expect(varyHasOrigin(res), path).toBe(true);
      expect(corsHeaders(res)).toEqual([]);
    }
  });
});
