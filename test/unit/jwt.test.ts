import { env } from 'cloudflare:workers';
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config';
import { loadKeys, publicJwks, signAccessToken, verifyAccessToken, type TokenSettings } from '../../src/lib/jwt';

const SETTINGS: TokenSettings = {
  privateJwk: env.JWT_PRIVATE_KEY,
  previousPublicJwk: env.JWT_PREVIOUS_PUBLIC_KEY,
  issuer: 'https://issuer.test',
  audience: 'unit-audience',
  ttlSeconds: 900,
};
const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const CLAIMS = { sub: '019a8f3e-6b1c-7d2e-9f10-5a6b7c8d9e0f', sid: '019a8f3e-6b1c-7d2e-9f10-000000000001', role: 'normal' };

const otherKey = async (kid: string) => JSON.stringify({ ...(await exportJWK((await generateKeyPair('ES256', { extractable: true })).privateKey)), kid });

describe('signAccessToken', () => {
  it('signs an RFC 9068 access token: ES256, kid, typ at+jwt and the claims', async () => {
    const { token, expiresIn } = await signAccessToken(SETTINGS, CLAIMS, NOW);
    expect(expiresIn).toBe(900);
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'ES256', kid: 'test-current', typ: 'at+jwt' });
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ ...CLAIMS, iss: SETTINGS.issuer, aud: SETTINGS.audience, iat: NOW / 1000, exp: NOW / 1000 + 900 });
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('gives every token its own jti', async () => {
    const [a, b] = await Promise.all([signAccessToken(SETTINGS, CLAIMS, NOW), signAccessToken(SETTINGS, CLAIMS, NOW)]);
    expect(decodeJwt(a.token).jti).not.toBe(decodeJwt(b.token).jti);
  });
});

describe('verifyAccessToken', () => {
  it('returns the claims of a token it signed, until it expires', async () => {
    const { token } = await signAccessToken(SETTINGS, CLAIMS, NOW);
    expect(await verifyAccessToken(SETTINGS, token, NOW + 899_000)).toMatchObject(CLAIMS);
    await expect(verifyAccessToken(SETTINGS, token, NOW + 900_000)).rejects.toThrow();
  });

  it('refuses another issuer or audience', async () => {
    const { token } = await signAccessToken(SETTINGS, CLAIMS, NOW);
    await expect(verifyAccessToken({ ...SETTINGS, issuer: 'https://other.test' }, token, NOW)).rejects.toThrow();
    await expect(verifyAccessToken({ ...SETTINGS, audience: 'other' }, token, NOW)).rejects.toThrow();
  });

  it('refuses a token signed by a key it does not know, even under a known kid', async () => {
    const { token } = await signAccessToken({ ...SETTINGS, privateJwk: await otherKey('test-current') }, CLAIMS, NOW);
    await expect(verifyAccessToken(SETTINGS, token, NOW)).rejects.toThrow();
  });

  it('accepts the previous key only while it is configured', async () => {
    const previous = { ...SETTINGS, privateJwk: env.TEST_PREVIOUS_PRIVATE_KEY };
    const { token } = await signAccessToken(previous, CLAIMS, NOW);
    expect(decodeProtectedHeader(token).kid).toBe('test-previous');
    expect((await verifyAccessToken(SETTINGS, token, NOW)).sub).toBe(CLAIMS.sub);
    await expect(verifyAccessToken({ ...SETTINGS, previousPublicJwk: undefined }, token, NOW)).rejects.toThrow();
  });
});

describe('loadKeys and publicJwks', () => {
  it('refuses to work without a signing key: no built-in default', async () => {
    await expect(loadKeys({ ...SETTINGS, privateJwk: undefined })).rejects.toThrow(ConfigError);
    await expect(signAccessToken({ ...SETTINGS, privateJwk: undefined }, CLAIMS, NOW)).rejects.toThrow('JWT_PRIVATE_KEY');
  });

  it('refuses a key that is not a P-256 private JWK with a kid', async () => {
    const { d: _d, ...publicOnly } = JSON.parse(env.JWT_PRIVATE_KEY);
    const { kid: _kid, ...noKid } = JSON.parse(env.JWT_PRIVATE_KEY);
    for (const bad of ['not json', JSON.stringify(publicOnly), JSON.stringify(noKid), JSON.stringify({ kty: 'oct', k: 'AAAA', kid: 'x' })]) {
      await expect(loadKeys({ ...SETTINGS, privateJwk: bad }), bad.slice(0, 20)).rejects.toThrow(ConfigError);
    }
  });

  it('publishes public parts only, current key first, previous key second', async () => {
    const { keys } = await publicJwks(SETTINGS);
    expect(keys.map((k) => k.kid)).toEqual(['test-current', 'test-previous']);
    for (const key of keys) expect(Object.keys(key).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
  });

  it('strips a private part pasted into JWT_PREVIOUS_PUBLIC_KEY, and skips a previous key with the current kid', async () => {
    const withPrivate = await publicJwks({ ...SETTINGS, previousPublicJwk: await otherKey('pasted-private') });
    expect(withPrivate.keys[1]).not.toHaveProperty('d');
    const sameKid = await publicJwks({ ...SETTINGS, previousPublicJwk: await otherKey('test-current') });
    expect(sameKid.keys.map((k) => k.kid)).toEqual(['test-current']);
  });
});
