import { env } from 'cloudflare:workers';
import { createExecutionContext } from 'cloudflare:test';
import { importJWK, SignJWT, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import worker from '../../src/index';
import { BASE, body, get } from '../helpers/api';
import { signedIn } from '../helpers/factories';
import { sidOf } from '../helpers/jwt';

/** An access token for a real session, signed by the previous key (as one issued before the rotation). */
async function signWithPrevious(claims: { sub: string; sid: string }, kid = 'test-previous') {
  const jwk = JSON.parse(env.TEST_PREVIOUS_PRIVATE_KEY) as JWK;
  const key = await importJWK(jwk, 'ES256');
  const iat = Math.floor(Date.now() / 1000);
  return new SignJWT({ sid: claims.sid, role: 'normal', client_id: 'userauth', amr: ['pwd'] })
    .setProtectedHeader({ alg: 'ES256', kid, typ: 'at+jwt' })
    .setIssuer(env.JWT_ISSUER as string)
    .setAudience(env.JWT_AUDIENCE as string)
    .setSubject(claims.sub)
    .setJti(crypto.randomUUID())
    .setIssuedAt(iat)
    .setExpirationTime(iat + 900)
    .sign(key);
}

const meWith = (vars: Record<string, string>, token: string) =>
  worker.fetch(new Request(`${BASE}/user/me`, { headers: { authorization: `Bearer ${token}` } }), { ...env, ...vars }, createExecutionContext());

describe('key rotation', () => {
  it('lists the current and the previous public key in the JWKS, without private parts', async () => {
    const res = await get('/.well-known/jwks.json');
    expect(res.status).toBe(200);
    const { keys } = await body<{ keys: JWK[] }>(res);
    expect(keys.map((k) => k.kid)).toEqual(['test-current', 'test-previous']);
    for (const k of keys) {
      expect(k).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
      expect(k.d).toBeUndefined();
    }
  });

  it('keeps verifying a token signed by the previous key while it is configured', async () => {
    const user = await signedIn();
    const token = await signWithPrevious({ sub: user.uuid, sid: sidOf(user.access) });
    const res = await get('/user/me', { token });
    expect(res.status).toBe(200);
    expect((await body(res)).uuid).toBe(user.uuid);
  });

  it('still refuses a previous-key token whose session was revoked', async () => {
    const user = await signedIn();
    const token = await signWithPrevious({ sub: user.uuid, sid: sidOf(user.access) });
    await env.DB.prepare('update sessions set revoked_at = ? where id = ?').bind(Date.now(), sidOf(user.access)).run();
    expect((await get('/user/me', { token })).status).toBe(401);
  });

  it('refuses previous-key tokens once the previous key is removed, and drops it from the JWKS', async () => {
    const user = await signedIn();
    const token = await signWithPrevious({ sub: user.uuid, sid: sidOf(user.access) });
    const res = await meWith({ JWT_PREVIOUS_PUBLIC_KEY: '' }, token);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect((await meWith({ JWT_PREVIOUS_PUBLIC_KEY: '' }, user.access)).status).toBe(200);
    const jwks = await worker.fetch(new Request(`${BASE}/.well-known/jwks.json`), { ...env, JWT_PREVIOUS_PUBLIC_KEY: '' }, createExecutionContext());
    expect((await body<{ keys: JWK[] }>(jwks)).keys.map((k) => k.kid)).toEqual(['test-current']);
  });

  it('refuses a previous-key signature that claims the current kid', async () => {
    const user = await signedIn();
    const token = await signWithPrevious({ sub: user.uuid, sid: sidOf(user.access) }, 'test-current');
    expect((await get('/user/me', { token })).status).toBe(401);
  });
});
