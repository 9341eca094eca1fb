import { ipLimitKey } from '../lib/client';
import type { Deps } from '../deps';

/** The period configured on the `[[ratelimits]]` bindings in wrangler.toml (10 or 60 s only). */
export const IP_LIMIT_PERIOD_SECONDS = 60;

/**
 * Coarse per-client-IP limit through the Workers Rate Limiting binding (approximate, per
 * location, no D1 write). The key is CF-Connecting-IP only, IPv6 clients by their /64 (one
 * customer's network: RFC 6177), IPv4 by the address; an address that does not parse shares one
 * bucket. Returns false when over the limit. A request without CF-Connecting-IP did not come
 * through Cloudflare's edge (a local run), so nothing limits it per IP. `IP_RATE_LIMIT=off`
 * disables it, for load tests from one address only.
 */
export async function withinIpLimit(deps: Deps, kind: 'login' | 'signup' | 'photoIp' | 'health' | 'email'): Promise<boolean> {
  const limiter = deps.limiters[kind];
  const ip = deps.client.ip;
  if (deps.config.IP_RATE_LIMIT === 'off' || !ip || !limiter) return true;
  const { success } = await limiter.limit({ key: `${kind}:${ipLimitKey(ip)}` });
  return success;
}

/** The same per signed-in user (photo uploads), whatever address they come from. */
export async function withinUserLimit(deps: Deps, kind: 'photoUser', userUuid: string): Promise<boolean> {
  const limiter = deps.limiters[kind];
  if (deps.config.IP_RATE_LIMIT === 'off' || !limiter) return true;
  const { success } = await limiter.limit({ key: `${kind}:${userUuid}` });
  return success;
}
