import { env } from 'cloudflare:workers';
import { decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config';
import { CLOCK_SKEW_SECONDS, loadKeys, publicJwks, signAccessToken, verifyAccessToken, type TokenSettings } from '../../src/lib/jwt';
import { CURRENT_JWK, signWith } from '../helpers/jwt';

const SETTINGS: TokenSettings = {
  privateJwk: env.JWT_PRIVATE_KEY,
  previousPublicJwk: env.JWT_PREVIOUS_PUBLIC_KEY,
  issuer: 'https://issuer.test',
  audience: 'unit-audience',
  ttlSeconds: 900,
};
const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const CLAIMS = {
  sub: '019a8f3e-6b1c-7d2e-9f10-5a6b7c8d9e0f',
  sid: '019a8f3e-6b1c-7d2e-9f10-000000000001',
  role: 'normal',
  clientId: 'userauth-first-party',
  amr: ['pwd', 'otp'],
};
/** CLAIMS as they appear in the token (RFC 9068 §2.2 `client_id`). */
const { clientId: _clientId, ...REST } = CLAIMS;
const TOKEN_CLAIMS = { ...REST, client_id: CLAIMS.clientId };
const NOW_S = NOW / 1000;

/** A well-formed payload as signAccessToken would write it, issued at `iat` (seconds), with changes. */
const payload = (changes: Record<string, unknown> = {}, iat = NOW_S) => ({
  ...TOKEN_CLAIMS,
  iss: SETTINGS.issuer,
  aud: SETTINGS.audience,
  jti: crypto.randomUUID(),
  iat,
  exp: iat + SETTINGS.ttlSeconds,
  ...changes,
});
/** The same payload without one claim. */
const without = (claim: keyof ReturnType<typeof payload>) => {
  const { [claim]: _dropped, ...rest } = payload();
  return rest;
};
/** Signed with our own current key: only the claims checks can refuse it. */
const hostile = (claims: Record<string, unknown>) => signWith(CURRENT_JWK, claims);

const otherKey = async (kid: string) => JSON.stringify({ ...(await exportJWK((await generateKeyPair('ES256', { extractable: true })).privateKey)), kid });

describe('signAccessToken', () => {
  it('signs an RFC 9068 access token: ES256, kid, typ at+jwt and the claims', async () => {
    const { token, expiresIn } = await signAccessToken(SETTINGS, CLAIMS, NOW);
    expect(expiresIn).toBe(900);
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'ES256', kid: 'test-current', typ: 'at+jwt' });
    const claims = decodeJwt(token);
    expect(claims).toMatchObject({ ...TOKEN_CLAIMS, iss: SETTINGS.issuer, aud: SETTINGS.audience, iat: NOW / 1000, exp: NOW / 1000 + 900 });
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);
    expect(claims).not.toHaveProperty('clientId');
  });

  it('gives every token its own jti', async () => {
    const [a, b] = await Promise.all([signAccessToken(SETTINGS, CLAIMS, NOW), signAccessToken(SETTINGS, CLAIMS, NOW)]);
    expect(decodeJwt(a.token).jti).not.toBe(decodeJwt(b.token).jti);
  });
});

describe('verifyAccessToken', () => {
  it('returns the claims of a token it signed, until it expires', async () => {
    const { token } = await signAccessToken(SETTINGS, CLAIMS, NOW);
    expect(await verifyAccessToken(SETTINGS, token, NOW + 899_000)).toMatchObject(TOKEN_CLAIMS);
    await expect(verifyAccessToken(SETTINGS, token, NOW + 900_000)).rejects.toThrow();
  });

  it('round-trips client_id and amr', async () => {
    const { token } = await signAccessToken(SETTINGS, CLAIMS, NOW);
    const claims = await verifyAccessToken(SETTINGS, token, NOW);
    expect(claims.client_id).toBe('userauth-first-party');
    expect(claims.amr).toEqual(['pwd', 'otp']);
    const pwdOnly = await signAccessToken(SETTINGS, { ...CLAIMS, amr: ['pwd'] }, NOW);
    expect((await verifyAccessToken(SETTINGS, pwdOnly.token, NOW)).amr).toEqual(['pwd']);
  });

  it('accepts the hand-built well-formed payload (the baseline of the hostile cases below)', async () => {
    expect(await verifyAccessToken(SETTINGS, await hostile(payload()), NOW)).toMatchObject(TOKEN_CLAIMS);
  });

  it(`accepts an iat a little ahead (clock skew), refuses one more than ${CLOCK_SKEW_SECONDS} s ahead`, async () => {
    expect(CLOCK_SKEW_SECONDS).toBe(30);
    expect((await verifyAccessToken(SETTINGS, await hostile(payload({}, NOW_S + 10)), NOW)).iat).toBe(NOW_S + 10);
    expect((await verifyAccessToken(SETTINGS, await hostile(payload({}, NOW_S + CLOCK_SKEW_SECONDS)), NOW)).iat).toBe(NOW_S + CLOCK_SKEW_SECONDS);
    await expect(verifyAccessToken(SETTINGS, await hostile(payload({}, NOW_S + CLOCK_SKEW_SECONDS + 1)), NOW)).rejects.toThrow();
    await expect(verifyAccessToken(SETTINGS, await hostile(payload({}, NOW_S + 3600)), NOW)).rejects.toThrow();
  });

  it('refuses a token whose lifetime exceeds the configured ttl, even signed by our key', async () => {
    expect(await verifyAccessToken(SETTINGS, await hostile(payload({ exp: NOW_S + 900 })), NOW)).toMatchObject(TOKEN_CLAIMS);
    await expect(verifyAccessToken(SETTINGS, await hostile(payload({ exp: NOW_S + 901 })), NOW)).rejects.toThrow();
    await expect(verifyAccessToken(SETTINGS, await hostile(payload({ exp: NOW_S + 30 * 86_400 })), NOW)).rejects.toThrow();
    // A token we signed ourselves before the ttl was shortened stops being honoured.
    const { token } = await signAccessToken(SETTINGS, CLAIMS, NOW);
    await expect(verifyAccessToken({ ...SETTINGS, ttlSeconds: 300 }, token, NOW)).rejects.toThrow();
  });

  it('refuses a wrong typ or an unknown kid, even signed by our key', async () => {
    await expect(verifyAccessToken(SETTINGS, await signWith(CURRENT_JWK, payload(), { typ: 'JWT' }), NOW)).rejects.toThrow();
    await expect(verifyAccessToken(SETTINGS, await signWith(CURRENT_JWK, payload(), { kid: 'unknown' }), NOW)).rejects.toThrow();
  });

  it('refuses a missing, empty or non-string client_id (RFC 9068 §2.2)', async () => {
    await expect(verifyAccessToken(SETTINGS, await hostile(without('client_id')), NOW)).rejects.toThrow();
    for (const client_id of ['', 42, null, ['userauth-first-party'], {}]) {
      await expect(verifyAccessToken(SETTINGS, await hostile(payload({ client_id })), NOW), JSON.stringify(client_id)).rejects.toThrow();
    }
  });

  it('refuses a missing or empty amr, or one that is not an array of strings (RFC 8176)', async () => {
    await expect(verifyAccessToken(SETTINGS, await hostile(without('amr')), NOW)).rejects.toThrow();
    for (const amr of [[], 'pwd', ['pwd', 1], [''], null, { 0: 'pwd' }]) {
      await expect(verifyAccessToken(SETTINGS, await hostile(payload({ amr })), NOW), JSON.stringify(amr)).rejects.toThrow();
    }
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
