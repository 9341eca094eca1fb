import type { Deps } from '../../deps';
import { tooMany } from '../../lib/problem';

/** The period of CLIENT_LIMITER in wrangler.toml (a Rate Limiting binding allows 10 or 60 s). */
export const CLIENT_LIMIT_PERIOD_SECONDS = 60;

/**
 * Per-client limit through the CLIENT_LIMITER Workers Rate Limiting binding (no D1). `bucket` is
 * the client: its key's SHA-256 where the request carries the key (a client has exactly one key,
 * and its id is only known once D1 has answered), else its id (a client_credentials token, the
 * grant once the credentials held). 429 `client_rate_limited` with Retry-After beyond it.
 * `IP_RATE_LIMIT=off` turns it off with the other limits, for load tests only.
 */
export async function assertClientWithinLimit(deps: Deps, bucket: { keyHash: string } | { clientId: string }): Promise<void> {
  const limiter = deps.limiters.client;
  if (deps.config.IP_RATE_LIMIT === 'off' || !limiter) return;
  const key = 'keyHash' in bucket ? `key:${bucket.keyHash}` : `id:${bucket.clientId}`;
  const { success } = await limiter.limit({ key });
  if (!success) throw tooMany('client_rate_limited', 'Too many requests from this client; try again later', CLIENT_LIMIT_PERIOD_SECONDS * 1000);
}
