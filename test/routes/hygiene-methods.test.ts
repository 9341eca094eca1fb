import { describe, expect, it } from 'vitest';
import { call } from '../helpers/api';
import { signedIn } from '../helpers/factories';
import { expectProblem } from '../helpers/problems';

describe('unsupported methods', () => {
  const cases: [method: string, path: string, allow: string][] = [
    ['PUT', '/user/me', 'DELETE, GET, HEAD, PATCH'],
    ['POST', '/user/me', 'DELETE, GET, HEAD, PATCH'],
    ['DELETE', '/roles', 'GET, HEAD'],
    ['POST', '/health', 'GET, HEAD'],
    ['GET', '/token', 'POST'],
    ['GET', '/user/me/password', 'PUT'],
    ['PUT', '/user/0198f0aa-0000-7000-8000-000000000000', 'DELETE, GET, HEAD, PATCH'],
    ['PATCH', '/user', 'GET, HEAD, POST'],
    ['DELETE', '/.well-known/jwks.json', 'GET, HEAD'],
    ['PROPFIND', '/user', 'GET, HEAD, POST'],
  ];
  for (const [method, path, allow] of cases) {
    it(`answers ${method} ${path} with 405 and Allow: ${allow}`, async () => {
      const res = await call(method, path);
      expect(res.headers.get('allow')).toBe(allow);
      await expectProblem(res, 405);
    });
  }

  it('answers 405 before authentication, with or without a token', async () => {
    const user = await signedIn();
    const res = await call('PUT', '/user/me', { token: user.access, json: { city: 'x' } });
    expect(res.headers.get('allow')).toBe('DELETE, GET, HEAD, PATCH');
    await expectProblem(res, 405);
  });

  it('answers OPTIONS without CORS as any other unsupported method', async () => {
    const res = await call('OPTIONS', '/user/me');
    expect(res.headers.get('allow')).toBe('DELETE, GET, HEAD, PATCH');
    await expectProblem(res, 405);
  });

  it('serves HEAD wherever GET is served', async () => {
    const res = await call('HEAD', '/health');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
  });
});

describe('unknown paths', () => {
  for (const path of ['/nowhere', '/user/me/', '/users', '/user/me/logins/x/y', '/%2e%2e/etc/passwd', '/.env']) {
    it(`answers GET ${path} with 404 problem+json and no Allow`, async () => {
      const res = await call('GET', path);
      expect(res.headers.get('allow')).toBeNull();
      await expectProblem(res, 404);
    });
  }

  it('answers 404 to any method on an unknown path', async () => {
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) await expectProblem(await call(method, '/nowhere'), 404);
  });
});
