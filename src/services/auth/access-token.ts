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
  /** The session's third-party client (sessions.client_id); absent: the request's key's, else first-party. */
  clientId?: string | null;
}

/**
 * Signs an access token for its client (RFC 9068 `client_id`): the session's third-party client,
 * or the one whose `X-API-Key` came with the request (checked by its first batch, which ran before
 * any grant signs), or this service's own FIRST_PARTY_CLIENT_ID. Signed before anything is written: without a usable key
 * (ConfigError, 503) no session or login record is left behind for a login that issued no token.
 */
export const issueAccessToken = (deps: Deps, { clientId, ...grant }: Grant, now: number) =>
  signAccessToken(
    tokenSettings(deps.config),
    { ...grant, clientId: clientId ?? deps.apiKey?.client?.id ?? deps.config.FIRST_PARTY_CLIENT_ID, amr: grant.amr ?? ['pwd'] },
    now,
  );
