import { env } from 'cloudflare:workers';
import { base64url, decodeJwt, decodeProtectedHeader, importJWK, SignJWT, type JWK, type JWTHeaderParameters, type JWTPayload } from 'jose';

/** The suite's signing keys (vitest.config.ts makes them fresh per run). */
export const CURRENT_JWK = JSON.parse(env.JWT_PRIVATE_KEY) as JWK;
export const PREVIOUS_JWK = JSON.parse(env.TEST_PREVIOUS_PRIVATE_KEY) as JWK;

/** The public half of a JWK, as the JWKS publishes it. */
export const publicJwk = ({ d: _d, ...rest }: JWK): JWK => rest;

export const claimsOf = (token: string) => decodeJwt(token);
export const headerOf = (token: string) => decodeProtectedHeader(token);

/** Signs `payload` as ES256 with a private JWK and the given header (defaults: at+jwt, the key's kid). */
export async function signWith(jwk: JWK, payload: JWTPayload, header: Partial<JWTHeaderParameters> = {}): Promise<string> {
  const key = await importJWK(jwk, 'ES256');
  return new SignJWT(payload).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: jwk.kid, ...header }).sign(key);
}

/** Re-signs a real token's claims with changes, keeping sub and sid valid unless changed. */
export const resign = (token: string, changes: JWTPayload, header: Partial<JWTHeaderParameters> = {}, jwk = CURRENT_JWK) =>
  signWith(jwk, { ...claimsOf(token), ...changes }, header);

/** base64url of a JSON value, for hand-built tokens. */
export const segment = (value: unknown) => base64url.encode(JSON.stringify(value));

/** The session id (`sid`) an access token names. */
export const sidOf = (token: string) => String(claimsOf(token).sid);
