import { createExecutionContext } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import worker from '../../src/index';
import { TokenResponseSchema } from '../../src/routes/token/token.schemas';
import { BASE, body, get, post } from '../helpers/api';
import { createUser, login } from '../helpers/factories';

/** Asserts an RFC 6749 §5.2 error answer and returns its raw text. */
async function expectOAuthError(res: Response, status: number, error: string): Promise<string> {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(res.headers.get('cache-control')).toBe('no-store');
  const text = await res.text();
  expect(JSON.parse(text)).toEqual({ error, error_description: expect.any(String) });
  return text;
}

const grant = (username: string, password: string) => ({ grant_type: 'password', username, password });

describe('POST /token (password grant)', () => {
  it('issues an ES256 at+jwt access token and a refresh token for a form request, uncacheable', async () => {
    const user = await createUser();
    const res = await post('/token', { form: grant(user.username, user.password) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('pragma')).toBe('no-cache');
    const tokens = TokenResponseSchema.parse(await body(res));
    expect(tokens).toMatchObject({ token_type: 'bearer', expires_in: 900 });
    expect(tokens.refresh_token.length).toBeGreaterThanOrEqual(43); // 256 bits, base64url
    expect(decodeProtectedHeader(tokens.access_token)).toEqual({ alg: 'ES256', typ: 'at+jwt', kid: 'test-current' });
    const claims = decodeJwt(tokens.access_token);
    expect(claims).toMatchObject({ sub: user.uuid, role: 'normal', iss: 'https://userauth.example', aud: 'userauth' });
    expect(claims.exp! - claims.iat!).toBe(900);
    expect(claims.sid).toEqual(expect.any(String));
    expect(claims.jti).toEqual(expect.any(String));
  });

  it('accepts a JSON body too', async () => {
    const user = await createUser();
    const res = await post('/token', { json: grant(user.username, user.password) });
    expect(res.status).toBe(200);
    expect(decodeJwt(TokenResponseSchema.parse(await body(res)).access_token).sub).toBe(user.uuid);
  });

  it('takes the username or the email, in any case', async () => {
    const user = await createUser();
    for (const name of [user.username.toUpperCase(), user.email.toUpperCase(), ` ${user.email} `]) {
      const res = await post('/token', { form: grant(name, user.password) });
      expect(res.status, name).toBe(200);
      expect(decodeJwt((await body<{ access_token: string }>(res)).access_token).sub).toBe(user.uuid);
    }
  });

  it("accepts the request Swagger UI's Authorize dialog sends (empty scope, empty Basic client)", async () => {
    const user = await createUser();
    const form = `grant_type=password&scope=&username=${encodeURIComponent(user.username)}&password=${encodeURIComponent(user.password)}`;
    const res = await post('/token', { body: form, headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${btoa(':')}` } });
    expect(res.status).toBe(200);
    expect(TokenResponseSchema.parse(await body(res)).token_type).toBe('bearer');
  });

  it('answers a wrong password and an unknown user with the same bytes: 400 invalid_grant', async () => {
    const user = await createUser();
    const wrong = await expectOAuthError(await post('/token', { form: grant(user.username, `${user.password}x`) }), 400, 'invalid_grant');
    const unknown = await expectOAuthError(await post('/token', { form: grant(`nobody_${user.username}`, user.password) }), 400, 'invalid_grant');
    expect(unknown).toBe(wrong);
  });

  it('answers a disabled user exactly as a wrong password', async () => {
    const user = await createUser();
    await env.DB.prepare('update users set disabled = 1 where uuid = ?').bind(user.uuid).run();
    const disabled = await expectOAuthError(await post('/token', { form: grant(user.username, user.password) }), 400, 'invalid_grant');
    const wrong = await expectOAuthError(await post('/token', { form: grant(user.username, 'not the password at all') }), 400, 'invalid_grant');
    expect(disabled).toBe(wrong);
  });

  it('verifies the password exactly as typed (no trimming, no case change)', async () => {
    const user = await createUser();
    await expectOAuthError(await post('/token', { form: grant(user.username, ` ${user.password}`) }), 400, 'invalid_grant');
    await expectOAuthError(await post('/token', { form: grant(user.username, user.password.toUpperCase()) }), 400, 'invalid_grant');
  });

  it('answers invalid_request when grant_type is missing', async () => {
    const text = await expectOAuthError(await post('/token', { form: { username: 'a', password: 'b' } }), 400, 'invalid_request');
    expect(text).toContain('grant_type');
  });

  it('answers unsupported_grant_type for an unknown grant', async () => {
    await expectOAuthError(await post('/token', { form: { grant_type: 'authorization_code' } }), 400, 'unsupported_grant_type');
  });

  it('answers invalid_request when the password is missing or a parameter repeats', async () => {
    await expectOAuthError(await post('/token', { form: { grant_type: 'password', username: 'someone' } }), 400, 'invalid_request');
    const repeated = 'grant_type=password&username=a&username=b&password=c';
    const res = await post('/token', { body: repeated, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    await expectOAuthError(res, 400, 'invalid_request');
  });

  it('answers invalid_request for an unsupported content type or malformed JSON', async () => {
    await expectOAuthError(await post('/token', { body: 'grant_type=password', headers: { 'content-type': 'text/plain' } }), 400, 'invalid_request');
    await expectOAuthError(await post('/token', { body: '{"grant_type":', headers: { 'content-type': 'application/json' } }), 400, 'invalid_request');
  });

  it('writes one login record with the IP from CF-Connecting-IP, the user agent and the country, ignoring X-Forwarded-For', async () => {
    const user = await createUser();
    const request = new Request(`${BASE}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'cf-connecting-ip': '203.0.113.7',
        'x-forwarded-for': '198.51.100.99',
        'user-agent': 'LoginRecordTest/1.0',
      },
      body: new URLSearchParams(grant(user.username, user.password)).toString(),
      cf: { country: 'NZ' },
    });
    const res = await exports.default.fetch(request);
    expect(res.status).toBe(200);
    const { access_token } = await body<{ access_token: string }>(res);
    const page = await body<{ items: Record<string, unknown>[] }>(await get('/user/me/logins', { token: access_token }));
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({ user_uuid: user.uuid, ip: '203.0.113.7', user_agent: 'LoginRecordTest/1.0', country: 'NZ' });
    const me = await body<{ last_login_at: string }>(await get('/user/me', { token: access_token }));
    expect(me.last_login_at).toBe(page.items[0]!.login_time);
  });

  it('records no IP when only X-Forwarded-For is sent', async () => {
    const user = await createUser();
    const res = await post('/token', { form: grant(user.username, user.password), headers: { 'x-forwarded-for': '198.51.100.1' } });
    const { access_token } = await body<{ access_token: string }>(res);
    const page = await body<{ items: { ip: string | null }[] }>(await get('/user/me/logins', { token: access_token }));
    expect(page.items.map((l) => l.ip)).toEqual([null]);
  });

  it('writes no login record for a failed login', async () => {
    const user = await createUser();
    await post('/token', { form: grant(user.username, 'wrong password, quite long') });
    const count = await env.DB.prepare('select count(*) as n from logins where user_uuid = ?').bind(user.uuid).first<{ n: number }>();
    expect(count!.n).toBe(0);
  });

  it('re-hashes the stored password when the iteration count changed', async () => {
    const user = await createUser();
    const hashOf = async () => (await env.DB.prepare('select password_hash as h from users where uuid = ?').bind(user.uuid).first<{ h: string }>())!.h;
    expect(await hashOf()).toMatch(/^pbkdf2-sha512\$10000\$/);
    const request = new Request(`${BASE}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(grant(user.username, user.password)).toString(),
    });
    const res = await worker.fetch(request, { ...env, PASSWORD_ITERATIONS: '12000' }, createExecutionContext());
    expect(res.status).toBe(200);
    expect(await hashOf()).toMatch(/^pbkdf2-sha512\$12000\$/);
    await login(user); // the new hash still verifies under the suite's own settings
  });

  it('refuses to issue tokens without a signing key: 503 temporarily_unavailable naming the variable, nothing written', async () => {
    const user = await createUser();
    const request = new Request(`${BASE}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(grant(user.username, user.password)).toString(),
    });
    const res = await worker.fetch(request, { ...env, JWT_PRIVATE_KEY: '' }, createExecutionContext());
    const text = await expectOAuthError(res, 503, 'temporarily_unavailable');
    expect(text).toContain('JWT_PRIVATE_KEY');
    const written = await env.DB.prepare(
      'select (select count(*) from logins where user_uuid = ?1) + (select count(*) from sessions where user_uuid = ?1) as n',
    )
      .bind(user.uuid)
      .first<{ n: number }>();
    expect(written!.n).toBe(0); // no session or login record for a login that issued no token
  });
});
