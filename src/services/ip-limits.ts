import type { Context } from 'hono';
import type { AppEnv } from '../env';

/** The period configured on both `[[ratelimits]]` bindings in wrangler.toml (10 or 60 s only). */
export const IP_LIMIT_PERIOD_SECONDS = 60;

const BINDINGS = { login: 'LOGIN_IP_LIMITER', signup: 'SIGNUP_IP_LIMITER' } as const;

/**
 * Coarse per-client-IP limit through the Workers Rate Limiting binding (approximate, per
 * location, no D1 write). The key is CF-Connecting-IP only. Returns false when over the limit.
 * `IP_RATE_LIMIT=off` disables it, for load tests from one address only.
 */
export async function withinIpLimit(c: Context<AppEnv>, kind: keyof typeof BINDINGS, ip: string | null): Promise<boolean> {
  if (c.get('config').IP_RATE_LIMIT === 'off' || !ip) return true;
  const limiter = c.env[BINDINGS[kind]];
  if (!limiter) return true;
  const { success } = await limiter.limit({ key: `${kind}:${ip}` });
  return success;
}
