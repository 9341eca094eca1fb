import type { Config } from '../config';
import type { TokenSettings } from '../lib/jwt';

/** The JWT settings out of the configuration. */
export const tokenSettings = (config: Config): TokenSettings => ({
  privateJwk: config.JWT_PRIVATE_KEY,
  previousPublicJwk: config.JWT_PREVIOUS_PUBLIC_KEY,
  issuer: config.JWT_ISSUER,
  audience: config.JWT_AUDIENCE,
  ttlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
});
