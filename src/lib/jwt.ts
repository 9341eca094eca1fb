import { importJWK, jwtVerify, SignJWT, type JWK, type JWTPayload } from 'jose';
import { ConfigError } from '../config';

/** Claims of an access token (RFC 9068 profile). */
export interface AccessClaims extends JWTPayload {
  sub: string;
  sid: string;
  jti: string;
  role: string;
  exp: number;
  iat: number;
  /** RFC 9068 §2.2: the client the token was issued to (our own first-party client id, or a third party's). */
  client_id: string;
  /** RFC 8176 authentication methods of the session, e.g. ['pwd'] or ['pwd', 'otp']; kept across refreshes. */
  amr: string[];
}

/** What the caller supplies when signing; the rest (iss, aud, iat, exp, jti) is ours. */
export interface AccessTokenClaims {
  sub: string;
  sid: string;
  role: string;
  clientId: string;
  amr: string[];
}

export interface TokenSettings {
  privateJwk?: string;
  previousPublicJwk?: string;
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

interface KeySet {
  signing: { kid: string; key: CryptoKey };
  /** kid → public key: the current key and, during a rotation, the previous one. */
  verifying: Map<string, CryptoKey>;
  publicJwks: JWK[];
}

/**
 * How far in the future a token's `iat` may lie and still be accepted. Our tokens are minted
 * and checked by this same worker on Cloudflare's NTP-synchronised machines, so honest skew
 * is well under a second; 30 s (not 60) leaves ample room for that while keeping the bound on
 * a token's remaining life tight: with `exp - iat <= ttlSeconds`, no token we accept can live
 * longer than `ttlSeconds + CLOCK_SKEW_SECONDS` from now (RFC 7519 §4.1.4 allows "a small
 * leeway, usually no more than a few minutes"; we need far less).
 */
export const CLOCK_SKEW_SECONDS = 30;

const ALG = 'ES256';
const TYP = 'at+jwt';
const keyCache = new Map<string, Promise<KeySet>>();

function parseJwk(text: string, name: string): JWK {
  let jwk: JWK;
  try {
    jwk = JSON.parse(text) as JWK;
  } catch {
    throw new ConfigError(`${name} is not a JSON Web Key`);
  }
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.kid !== 'string' || !jwk.kid) {
    throw new ConfigError(`${name} must be a P-256 EC JWK with a kid`);
  }
  return jwk;
}

const publicPart = ({ kty, crv, x, y, kid }: JWK): JWK => ({ kty, crv, x, y, kid, alg: ALG, use: 'sig' });

/**
 * Imports the signing key and the verification keys once per isolate (WebCrypto imports
 * are not free and every request verifies a token). No key configured: a ConfigError, never
 * a built-in default key.
 */
export function loadKeys(settings: TokenSettings): Promise<KeySet> {
  const cacheKey = `${settings.privateJwk ?? ''}\n${settings.previousPublicJwk ?? ''}`;
  let hit = keyCache.get(cacheKey);
  if (!hit) {
    hit = (async () => {
      if (!settings.privateJwk) throw new ConfigError('JWT_PRIVATE_KEY is not set: the worker cannot issue or verify tokens');
      const current = parseJwk(settings.privateJwk, 'JWT_PRIVATE_KEY');
      if (typeof current.d !== 'string') throw new ConfigError('JWT_PRIVATE_KEY must be a private key');
      const signing = { kid: current.kid!, key: (await importJWK(current, ALG)) as CryptoKey };
      const publicJwks = [publicPart(current)];
      if (settings.previousPublicJwk) {
        const previous = parseJwk(settings.previousPublicJwk, 'JWT_PREVIOUS_PUBLIC_KEY');
        if (previous.kid !== current.kid) publicJwks.push(publicPart(previous));
      }
      const verifying = new Map<string, CryptoKey>();
      for (const jwk of publicJwks) verifying.set(jwk.kid!, (await importJWK(jwk, ALG)) as CryptoKey);
      return { signing, verifying, publicJwks };
    })();
    // A failed import must not be cached forever: the next request retries.
    hit.catch(() => keyCache.delete(cacheKey));
    keyCache.set(cacheKey, hit);
  }
  return hit;
}

/**
 * Signs an access token for a user's session. `clientId` is written as RFC 9068 §2.2
 * `client_id`, `amr` (RFC 8176) as given.
 */
export async function signAccessToken(settings: TokenSettings, claims: AccessTokenClaims, now: number): Promise<{ token: string; expiresIn: number }> {
  const { signing } = await loadKeys(settings);
  const iat = Math.floor(now / 1000);
  const token = await new SignJWT({ sid: claims.sid, role: claims.role, client_id: claims.clientId, amr: claims.amr })
    .setProtectedHeader({ alg: ALG, kid: signing.kid, typ: TYP })
    .setIssuer(settings.issuer)
    .setAudience(settings.audience)
    .setSubject(claims.sub)
    .setJti(crypto.randomUUID())
    .setIssuedAt(iat)
    .setExpirationTime(iat + settings.ttlSeconds)
    .sign(signing.key);
  return { token, expiresIn: settings.ttlSeconds };
}

const isNonEmptyString = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

/**
 * Verifies an access token: ES256 only (so `alg: none` and HS256-with-the-public-key fail),
 * a known `kid`, `typ: at+jwt`, `iss`, `aud`, `exp`, and the claims this API relies on.
 * Throws on any failure; the caller maps that to one generic 401.
 *
 * Beyond what jose checks, a token signed by our own key is still refused when
 * - its `iat` lies more than CLOCK_SKEW_SECONDS in the future (jose checks `iat` only with
 *   `maxTokenAge`, whose tolerance would also loosen `exp`);
 * - its `exp - iat` exceeds the configured `ttlSeconds`: a token minted with a longer life
 *   (during a leaked-key window, or before the lifetime was shortened) is honoured no longer
 *   than the configuration allows now. A non-finite `exp` (JSON `1e400`) fails here too;
 * - `client_id` is not a non-empty string (RFC 9068 §2.2 makes it REQUIRED);
 * - `amr` is not a non-empty array of non-empty strings (RFC 8176 values, which the API
 *   relies on to know whether a second factor was used).
 */
export async function verifyAccessToken(settings: TokenSettings, token: string, now: number): Promise<AccessClaims> {
  const { verifying } = await loadKeys(settings);
  const { payload } = await jwtVerify(
    token,
    async (header) => {
      const key = header.kid ? verifying.get(header.kid) : undefined;
      if (!key) throw new Error('unknown kid');
      return key;
    },
    {
      algorithms: [ALG],
      typ: TYP,
      issuer: settings.issuer,
      audience: settings.audience,
      currentDate: new Date(now),
      requiredClaims: ['exp', 'iat', 'sub', 'jti', 'sid'],
    },
  );
  if (typeof payload.sid !== 'string' || typeof payload.sub !== 'string') throw new Error('bad claims');
  // requiredClaims and jose's own checks guarantee exp and iat are numbers here.
  const iat = payload.iat as number;
  const exp = payload.exp as number;
  if (iat * 1000 - now > CLOCK_SKEW_SECONDS * 1000) throw new Error('iat in the future');
  if (!(exp - iat <= settings.ttlSeconds)) throw new Error('lifetime longer than configured');
  if (!isNonEmptyString(payload.client_id)) throw new Error('bad client_id');
  const { amr } = payload;
  if (!Array.isArray(amr) || amr.length === 0 || !amr.every(isNonEmptyString)) throw new Error('bad amr');
  return payload as AccessClaims;
}

/** The JWKS document: public parts only, current key first. */
export async function publicJwks(settings: TokenSettings): Promise<{ keys: JWK[] }> {
  return { keys: (await loadKeys(settings)).publicJwks };
}
