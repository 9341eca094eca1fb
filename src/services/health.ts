import { sql } from 'drizzle-orm';
import { tooMany } from '../lib/problem';
import type { Deps } from '../deps';
import { IP_LIMIT_PERIOD_SECONDS, withinIpLimit } from './ip-limits';

export type Check = 'ok' | 'fail';
export interface Health {
  status: 'ok' | 'degraded';
  checks?: { d1: Check; kv: Check; r2: Check };
}

const check = (p: Promise<unknown>) =>
  p.then(
    (): Check => 'ok',
    (): Check => 'fail',
  );

/**
 * Liveness without storage; with `deep`, one read each of D1, KV and R2. The deep check is open
 * to anyone, so it is limited per client IP (HEALTH_IP_LIMITER): it must not become a cheap way
 * to make the worker hit its storage.
 */
export async function checkHealth(deps: Deps, deep: boolean): Promise<Health> {
  if (!deep) return { status: 'ok' };
  if (!(await withinIpLimit(deps, 'health'))) throw tooMany('rate_limited', 'Too many deep health checks from this address', IP_LIMIT_PERIOD_SECONDS * 1000);
  const [d1, kv, r2] = await Promise.all([check(deps.db.run(sql`select 1`)), check(deps.kv.get('health:probe')), check(deps.photos.head('health/probe'))]);
  const ok = d1 === 'ok' && kv === 'ok' && r2 === 'ok';
  return { status: ok ? 'ok' : 'degraded', checks: { d1, kv, r2 } };
}
