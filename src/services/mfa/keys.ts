import { type Config, ConfigError } from '../../config';
import { loadSecretKeys, type SecretKey, SecretKeyError } from '../../lib/secret-box';

const cache = new Map<string, Promise<SecretKey[]>>();

/**
 * The keys that seal TOTP seeds, from MFA_ENCRYPTION_KEY (imported once per isolate). Without it
 * (or with a malformed one) enrolment and every code check answer 503 naming the variable, never
 * its value.
 */
export function mfaKeys(config: Config): Promise<SecretKey[]> {
  const secret = config.MFA_ENCRYPTION_KEY;
  if (!secret) return Promise.reject(new ConfigError('MFA_ENCRYPTION_KEY is not set, so second factors are unavailable'));
  let keys = cache.get(secret);
  if (!keys) {
    keys = loadSecretKeys(secret).catch((err: unknown) => {
      cache.delete(secret);
      throw err instanceof SecretKeyError ? new ConfigError(`invalid configuration: MFA_ENCRYPTION_KEY (${err.message})`) : err;
    });
    cache.set(secret, keys);
  }
  return keys;
}

/** What a seed is sealed to: its purpose and its owner (secret-box additional data). */
export const totpContext = (userUuid: string) => `totp:${userUuid}`;
