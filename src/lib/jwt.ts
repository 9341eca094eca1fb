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

/** Signs an access token for a user's session. */
export async function signAccessToken(
  settings: TokenSettings,
  claims: { sub: string; sid: string; role: string },
  now: number,
): Promise<{ token: string; expiresIn: number }> {
  const { signing } = await loadKeys(settings);
  const iat = Math.floor(now / 1000);
  const token = await new SignJWT({ sid: claims.sid, role: claims.role })
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

/**
 * Verifies an access token: ES256 only (so `alg: none` and HS256-with-the-public-key fail),
 * a known `kid`, `typ: at+jwt`, `iss`, `aud`, `exp`, and the claims this API relies on.
 * Throws on any failure; the caller maps that to one generic 401.
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
  return payload as AccessClaims;
}

/** The JWKS document: public parts only, current key first. */
export async function publicJwks(settings: TokenSettings): Promise<{ keys: JWK[] }> {
  return { keys: (await loadKeys(settings)).publicJwks };
}
