import type { Deps } from '../../deps';
import { tooMany } from '../../lib/problem';
import { IP_LIMIT_PERIOD_SECONDS, withinIpLimit } from '../ip-limits';
import { overLimitFor } from './statements';

/** The per-IP limit of every request that sends a message (the EMAIL_IP_LIMITER binding, IPv6 by its /64). */
export async function assertIpMayEmail(deps: Deps): Promise<void> {
  if (!(await withinIpLimit(deps, 'email')))
    throw tooMany('rate_limited', 'Too many messages requested from this address; try again later', IP_LIMIT_PERIOD_SECONDS * 1000);
}

/** The per-address limit, from the count the batch returned: 429 with Retry-After until the window ends. */
export function assertAddressMayEmail(counted: { count: number; windowStart: number }[], now: number): void {
  const waitMs = overLimitFor(counted, now);
  if (waitMs > 0) throw tooMany('email_throttled', 'Too many messages to this address; try again later', waitMs);
}
