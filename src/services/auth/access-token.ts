import type { Config } from '../../config';
import { signAccessToken, type TokenSettings } from '../../lib/jwt';
import type { Deps } from '../../deps';

/** The JWT settings out of the configuration. */
export const tokenSettings = (config: Config): TokenSettings => ({
  privateJwk: config.JWT_PRIVATE_KEY,
  previousPublicJwk: config.JWT_PREVIOUS_PUBLIC_KEY,
  issuer: config.JWT_ISSUER,
  audience: config.JWT_AUDIENCE,
  ttlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
});

/** What an access token is issued for: the user, their session, the role it shows, how they proved it. */
export interface Grant {
  sub: string;
  sid: string;
  role: string;
  /** RFC 8176 methods; `['pwd']` until a second factor exists. */
  amr?: string[];
}

/**
 * Signs an access token for the first-party client (RFC 9068 `client_id`: this service's own
 * id until third-party clients exist). Signed before anything is written: without a usable key
 * (ConfigError, 503) no session or login record is left behind for a login that issued no token.
 */
export const issueAccessToken = (deps: Deps, grant: Grant, now: number) =>
  signAccessToken(tokenSettings(deps.config), { ...grant, clientId: deps.config.FIRST_PARTY_CLIENT_ID, amr: grant.amr ?? ['pwd'] }, now);
