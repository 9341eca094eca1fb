import { and, eq, inArray, lt, type Placeholder, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { compiled } from '../db/compiled';
import { loginThrottle } from '../db/schema';
import { read } from '../db/statement';
import { type Guard, guarded } from '../policy/guard';

/**
 * Per-login-name throttling in D1 (exact counts, keyed by the normalised name whether or not
 * such a user exists, so it reveals nothing). The first FREE_FAILURES consecutive failures
 * cost nothing; each failure after them blocks the name for 1 s, 2 s, 4 s … up to 15 min.
 * Never a permanent lock (NIST SP 800-63B-4 §3.2.2 allows one only after 100 failures).
 * Counters reset on success; the hourly cleanup deletes them after a day without failures.
 *
 * Every attempt is counted as a failure *before* the password is checked, in the same D1
 * batch that reads the block, and cleared again on success. Counting after the check would
 * let a burst of concurrent guesses all pass the read before the first failure is written.
 */
export const FREE_FAILURES = 4;
export const BASE_DELAY_MS = 1000;
export const MAX_DELAY_MS = 15 * 60 * 1000;
export const FORGET_AFTER_MS = 24 * 60 * 60 * 1000;

export const throttleKey = (normalisedLogin: string) => `login:${normalisedLogin}`;
/** The password change's own counter: a stolen access token must not become a password oracle. */
export const passwordChangeKey = (userUuid: string) => `password:${userUuid}`;

/** The delay after `failures` consecutive failures (0 within the free allowance). */
export function delayAfter(failures: number): number {
  if (failures <= FREE_FAILURES) return 0;
  return Math.min(BASE_DELAY_MS * 2 ** Math.min(failures - FREE_FAILURES - 1, 20), MAX_DELAY_MS);
}

/** The select that tells whether a name is blocked right now (before this attempt counts). */
export const readThrottle = (db: Db, key: string | Placeholder) =>
  db.select({ blockedUntil: loginThrottle.blockedUntil }).from(loginThrottle).where(eq(loginThrottle.key, key));

/**
 * Counts one attempt (upsert), unless the name is blocked at `now`: attempts refused with 429
 * do not lengthen the block. A count idle for FORGET_AFTER_MS starts again at 1. The block
 * computed here in SQL is delayAfter(failures).
 */
export function countAttempt(db: Db, key: string | Placeholder, now: number | Placeholder, guard?: SQL) {
  const failures = sql`(case when ${loginThrottle.updatedAt} < ${now} - ${FORGET_AFTER_MS} then 1 else ${loginThrottle.failures} + 1 end)`;
  const set = {
    failures,
    updatedAt: sql`${now}`,
    blockedUntil: sql`(case when ${failures} > ${FREE_FAILURES} then ${now} + min(${BASE_DELAY_MS} * (1 << min(${failures} - ${FREE_FAILURES + 1}, 20)), ${MAX_DELAY_MS}) else 0 end)`,
  };
  const notBlocked = sql`${loginThrottle.blockedUntil} <= ${now}`;
  if (!guard) {
    return db
      .insert(loginThrottle)
      .values({ key, failures: 1, blockedUntil: 0, updatedAt: now })
      .onConflictDoUpdate({ target: loginThrottle.key, set, setWhere: notBlocked });
  }
  // Guarded (a counter only a caller who may act writes): insert … select … where guard. The
  // WHERE also settles SQLite's parsing ambiguity of an upsert over a SELECT.
  return db
    .insert(loginThrottle)
    .select(sql`select ${key}, 1, 0, ${now} where ${guard}`)
    .onConflictDoUpdate({ target: loginThrottle.key, set, setWhere: and(notBlocked, guard) });
}

/**
 * Deletes up to `limit` counters idle for a day and not blocking any more (the hourly cleanup,
 * src/services/cleanup.ts), returning their keys.
 */
export function pruneThrottle(db: Db, now: number, limit: number) {
  const forgotten = db
    .select({ key: loginThrottle.key })
    .from(loginThrottle)
    .where(and(lt(loginThrottle.updatedAt, now - FORGET_AFTER_MS), lt(loginThrottle.blockedUntil, now)))
    .limit(limit);
  return db.delete(loginThrottle).where(inArray(loginThrottle.key, forgotten)).returning({ key: loginThrottle.key });
}

// Compiled once per isolate (src/db/compiled.ts): they run on every login.
const readCompiled = compiled('read', ['key'], (db, p) => readThrottle(db, p.key));
const countCompiled = compiled('write', ['key', 'now'], (db, p) => countAttempt(db, p.key, p.now));
const clearCompiled = compiled('write', ['key'], (db, p) => db.delete(loginThrottle).where(eq(loginThrottle.key, p.key)));

/** The statements of one attempt without a caller (the password grant), batched before the password is checked. */
export const attemptStatements = (db: Db, key: string, now: number) => ({ throttle: readCompiled(db, { key }), counted: countCompiled(db, { key, now }) });

/** The block on a name, as a read to batch. */
export const throttleState = (db: Db, key: string) => read(readThrottle(db, key));

/** One attempt counted for a signed-in caller (the password change): guarded, so a refused caller counts nothing. */
export const countGuarded = (db: Db, key: string, now: number, guard: Guard) => guarded(guard, (may) => countAttempt(db, key, now, may));

/** Milliseconds the name stays blocked, from the read made before this attempt counted. */
export const blockedFor = (rows: { blockedUntil: number }[], now: number) => Math.max(0, (rows[0]?.blockedUntil ?? 0) - now);

/** Deletes a name's counter (a success), as a statement to batch. */
export const clearFailures = (db: Db, key: string) => clearCompiled(db, { key });

/** The same under a caller's guard. */
export const clearFailuresGuarded = (db: Db, key: string, guard: Guard) =>
  guarded(guard, (may) => db.delete(loginThrottle).where(and(eq(loginThrottle.key, key), may)));
