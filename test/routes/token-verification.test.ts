import { env } from 'cloudflare:workers';
import { exportSPKI, generateKeyPair, importJWK, SignJWT, type JWTPayload } from 'jose';
import { describe, expect, it } from 'vitest';
import { del, get, patch } from '../helpers/api';
import { signedIn } from '../helpers/factories';
import { claimsOf, CURRENT_JWK, headerOf, PREVIOUS_JWK, publicJwk, resign, segment, signWith } from '../helpers/jwt';
import { expectProblem, expectUnauthorized } from '../helpers/problems';

const rejected = async (token: string) => expectUnauthorized(await get('/user/me', { token }), true);
const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('access token verification (GET /user/me)', () => {
  it('accepts a re-signed copy of a real token (the baseline the failures below differ from)', async () => {
    const user = await signedIn();
    expect((await get('/user/me', { token: await resign(user.access, { jti: crypto.randomUUID() }) })).status).toBe(200);
  });

  it('accepts a token signed with the previous key (kid test-previous) during a rotation', async () => {
    const user = await signedIn();
    const token = await resign(user.access, {}, {}, PREVIOUS_JWK);
    expect(headerOf(token).kid).toBe('test-previous');
    const res = await get('/user/me', { token });
    expect(res.status).toBe(200);
    expect((await res.json<{ uuid: string }>()).uuid).toBe(user.uuid);
  });

  it('refuses an expired token', async () => {
    const user = await signedIn();
    await rejected(await resign(user.access, { iat: nowSeconds() - 1000, exp: nowSeconds() - 100 }));
  });

  it('refuses a wrong issuer', async () => {
    const user = await signedIn();
    await rejected(await resign(user.access, { iss: 'https://evil.example' }));
  });

  it('refuses a wrong audience', async () => {
    const user = await signedIn();
    await rejected(await resign(user.access, { aud: 'another-service' }));
  });

  it('refuses alg: none, with and without a signature', async () => {
    const user = await signedIn();
    const [, payload, signature] = user.access.split('.');
    const header = segment({ alg: 'none', typ: 'at+jwt', kid: 'test-current' });
    await rejected(`${header}.${payload}.`);
    await rejected(`${header}.${payload}.${signature}`);
  });

  it('refuses HS256 signed with the public key bytes (algorithm confusion)', async () => {
    const user = await signedIn();
    const pub = publicJwk(CURRENT_JWK);
    const spki = await exportSPKI((await importJWK(pub, 'ES256', { extractable: true })) as CryptoKey);
    for (const secret of [JSON.stringify(pub), JSON.stringify({ keys: [pub] }), spki]) {
      const token = await new SignJWT(claimsOf(user.access))
        .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: 'test-current' })
        .sign(new TextEncoder().encode(secret));
      await rejected(token);
    }
  });

  it('refuses a tampered payload (role changed to admin, signature kept)', async () => {
    const user = await signedIn();
    const [header, , signature] = user.access.split('.');
    await rejected(`${header}.${segment({ ...claimsOf(user.access), role: 'admin' })}.${signature}`);
  });

  it('refuses typ JWT (and a missing typ) instead of at+jwt', async () => {
    const user = await signedIn();
    await rejected(await resign(user.access, {}, { typ: 'JWT' }));
    await rejected(await resign(user.access, {}, { typ: undefined }));
  });

  it('refuses an unknown kid, and a known kid on a key that is not ours', async () => {
    const user = await signedIn();
    await rejected(await resign(user.access, {}, { kid: 'test-unknown' }));
    const { privateKey } = await generateKeyPair('ES256');
    const forged = await new SignJWT(claimsOf(user.access)).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'test-current' }).sign(privateKey);
    await rejected(forged);
  });

  it('refuses a token without sid, or whose sid is not a session of its subject', async () => {
    const user = await signedIn();
    const { sid: _sid, ...withoutSid } = claimsOf(user.access) as JWTPayload & { sid: string };
    await rejected(await signWith(CURRENT_JWK, withoutSid));
    const other = await signedIn();
    await rejected(await resign(user.access, { sid: claimsOf(other.access).sid }));
  });

  it('refuses a token after its user was disabled, even with the session left open', async () => {
    const user = await signedIn();
    await env.DB.prepare('update users set disabled = 1 where uuid = ?').bind(user.uuid).run();
    await rejected(user.access);
  });

  it('refuses a token after its user was deleted', async () => {
    const user = await signedIn();
    expect((await del('/user/me', { token: user.access })).status).toBe(204);
    await rejected(user.access);
  });
});

describe('authorization from the current role, not the token', () => {
  it('takes admin access from a demoted admin at once, although the token says admin', async () => {
    const admin = await signedIn('admin');
    expect((await get('/user', { token: admin.access })).status).toBe(200);
    await env.DB.prepare("update users set role = 'normal' where uuid = ?").bind(admin.uuid).run();
    expect(claimsOf(admin.access).role).toBe('admin');
    await expectProblem(await get('/user', { token: admin.access }), 403);
  });

  it('revokes the sessions of an admin demoted through the API', async () => {
    const [admin, demoted] = await Promise.all([signedIn('admin'), signedIn('admin')]);
    expect((await patch(`/user/${demoted.uuid}`, { token: admin.access, json: { role: 'normal' } })).status).toBe(200);
    await expectUnauthorized(await get('/user', { token: demoted.access }), true);
  });

  it('ignores a role claim of admin in a validly signed token of a normal user', async () => {
    const user = await signedIn();
    await expectProblem(await get('/user', { token: await resign(user.access, { role: 'admin' }) }), 403);
  });
});
