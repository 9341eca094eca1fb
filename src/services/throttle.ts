import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { loginThrottle } from '../db/schema';

/**
 * Per-login-name throttling in D1 (exact counts, keyed by the normalised name whether or not
 * such a user exists, so it reveals nothing). The first FREE_FAILURES consecutive failures
 * cost nothing; after that each failure blocks the name for 1 s, 2 s, 4 s … up to 15 min.
 * Never a permanent lock (NIST SP 800-63B-4 §3.2.2 allows one only after 100 failures).
 * Counters reset on success and are forgotten after a day without failures.
 */
export const FREE_FAILURES = 5;
export const BASE_DELAY_MS = 1000;
export const MAX_DELAY_MS = 15 * 60 * 1000;
export const FORGET_AFTER_MS = 24 * 60 * 60 * 1000;
const PRUNE_BATCH = 50;

export const throttleKey = (normalisedLogin: string) => `login:${normalisedLogin}`;

/** The select that tells whether a name is blocked right now. */
export const readThrottle = (db: Db, key: string) =>
  db.select({ blockedUntil: loginThrottle.blockedUntil }).from(loginThrottle).where(eq(loginThrottle.key, key));

/** The delay after `failures` consecutive failures (0 while under the free allowance). */
export function delayAfter(failures: number): number {
  if (failures < FREE_FAILURES) return 0;
  return Math.min(BASE_DELAY_MS * 2 ** (failures - FREE_FAILURES), MAX_DELAY_MS);
}

/** Counts one failure (upsert) and prunes a few forgotten rows, as one batch. */
export function recordFailure(db: Db, key: string, now: number) {
  const stale = now - FORGET_AFTER_MS;
  const failures = sql`(case when ${loginThrottle.updatedAt} < ${stale} then 1 else ${loginThrottle.failures} + 1 end)`;
  return db.batch([
    db
      .insert(loginThrottle)
      .values({ key, failures: 1, blockedUntil: 0, updatedAt: now })
      .onConflictDoUpdate({
        target: loginThrottle.key,
        set: {
          failures,
          updatedAt: now,
          blockedUntil: sql`(case when ${failures} >= ${FREE_FAILURES} then ${now} + min(${BASE_DELAY_MS} * (1 << min(${failures} - ${FREE_FAILURES}, 20)), ${MAX_DELAY_MS}) else 0 end)`,
        },
      }),
    db.run(
      sql`delete from ${loginThrottle} where ${loginThrottle.key} in (select ${loginThrottle.key} from ${loginThrottle} where ${loginThrottle.updatedAt} < ${stale} and ${loginThrottle.blockedUntil} < ${now} limit ${PRUNE_BATCH})`,
    ),
  ]);
}

export const clearFailures = (db: Db, key: string) => db.delete(loginThrottle).where(eq(loginThrottle.key, key));
