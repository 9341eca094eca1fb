import type { Deps } from './deps';

/** The period configured on the `[[ratelimits]]` bindings in wrangler.toml (10 or 60 s only). */
export const IP_LIMIT_PERIOD_SECONDS = 60;

/**
 * Coarse per-client-IP limit through the Workers Rate Limiting binding (approximate, per
 * location, no D1 write). The key is CF-Connecting-IP only. Returns false when over the limit.
 * `IP_RATE_LIMIT=off` disables it, for load tests from one address only.
 */
export async function withinIpLimit(deps: Deps, kind: keyof Deps['limiters']): Promise<boolean> {
  const limiter = deps.limiters[kind];
  const ip = deps.client.ip;
  if (deps.config.IP_RATE_LIMIT === 'off' || !ip || !limiter) return true;
  const { success } = await limiter.limit({ key: `${kind}:${ip}` });
  return success;
}
