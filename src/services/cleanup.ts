import { inArray, lt, lte } from 'drizzle-orm';
import type { Config } from '../config';
import type { Db } from '../db/client';
import { auditEvents, retiredUsernames, sessions } from '../db/schema';
import { runBatch, write } from '../db/statement';
import { uuidv7Bound } from '../lib/ids';
import { sessionExpired } from '../policy/live-session';
import { pruneEmailThrottle, pruneEmailTokens } from './email/statements';
import { pruneChallenges } from './mfa/statements';
import { pruneThrottle } from './throttle';

/** Rows each statement deletes per round; a run repeats rounds while any statement filled one. */
export const CLEANUP_BATCH = 500;
/** At most this many rounds (10,000 rows per kind) per run; the next run takes the rest. */
export const CLEANUP_MAX_ROUNDS = 20;

const DAY_MS = 86_400_000;

export interface CleanupResult {
  expiredSessions: number;
  revokedSessions: number;
  throttleCounters: number;
  auditEvents: number;
  retiredUsernames: number;
  mfaChallenges: number;
  emailTokens: number;
  emailCounters: number;
  rounds: number;
}

/**
 * One round of housekeeping, as one D1 batch. Each statement finds its rows through an index
 * (`sessions.expires_at`, the partial `sessions.revoked_at`, `login_throttle.updated_at`, the
 * primary key of `audit_events`, `retired_usernames.retired_until`), so a
 * round costs the rows it deletes, not the size of the table. A session's refresh tokens go
 * with it (foreign key, ON DELETE CASCADE).
 *  - sessions past their sliding or absolute expiry (the complement of the live-session rule,
 *    src/policy/live-session.ts): no token of theirs can be used again;
 *  - sessions revoked longer ago than an access-token lifetime: every access token issued for
 *    them has expired too;
 *  - throttle counters idle for a day that no longer block (docs/abuse-throttling.md);
 *  - audit events older than AUDIT_RETENTION_DAYS, the oldest first: ids are UUIDv7, so "older
 *    than the cutoff" is `id < uuidv7Bound(cutoff, 'low')`, a range at the start of the primary key;
 *  - retired usernames whose retirement has ended (RETIRED_USERNAME_DAYS after the erasure);
 *  - second-factor challenges (mfa_tokens) past their five minutes, used or not;
 *  - email-link tokens past their lifetime, used or not (`email_tokens.expires_at`), and email
 *    message counters whose window has ended (`email_throttle.window_start`).
 */
export function cleanupStatements(db: Db, config: Config, now: number) {
  const revokedBefore = now - config.ACCESS_TOKEN_TTL_SECONDS * 1000;
  const expired = db.select({ id: sessions.id }).from(sessions).where(sessionExpired(sessions, now)).limit(CLEANUP_BATCH);
  const revoked = db.select({ id: sessions.id }).from(sessions).where(lt(sessions.revokedAt, revokedBefore)).limit(CLEANUP_BATCH);
  const auditBound = uuidv7Bound(now - config.AUDIT_RETENTION_DAYS * DAY_MS, 'low');
  const oldEvents = db.select({ id: auditEvents.id }).from(auditEvents).where(lt(auditEvents.id, auditBound)).limit(CLEANUP_BATCH);
  const endedRetirements = db
    .select({ keyHash: retiredUsernames.keyHash })
    .from(retiredUsernames)
    .where(lte(retiredUsernames.retiredUntil, now))
    .limit(CLEANUP_BATCH);
  return {
    expired: write(db.delete(sessions).where(inArray(sessions.id, expired)).returning({ id: sessions.id })),
    revoked: write(db.delete(sessions).where(inArray(sessions.id, revoked)).returning({ id: sessions.id })),
    counters: write(pruneThrottle(db, now, CLEANUP_BATCH)),
    events: write(db.delete(auditEvents).where(inArray(auditEvents.id, oldEvents)).returning({ id: auditEvents.id })),
    retired: write(db.delete(retiredUsernames).where(inArray(retiredUsernames.keyHash, endedRetirements)).returning({ keyHash: retiredUsernames.keyHash })),
    challenges: write(pruneChallenges(db, now, CLEANUP_BATCH)),
    emailTokens: write(pruneEmailTokens(db, now, CLEANUP_BATCH)),
    emailCounters: write(pruneEmailThrottle(db, now, CLEANUP_BATCH)),
  };
}

/** Deletes what nothing can use any more and what is past its retention, in rounds of one batch each (the cron trigger, src/scheduled.ts). */
export async function cleanUp(db: Db, config: Config, now: number): Promise<CleanupResult> {
  const result: CleanupResult = {
    expiredSessions: 0,
    revokedSessions: 0,
    throttleCounters: 0,
    auditEvents: 0,
    retiredUsernames: 0,
    mfaChallenges: 0,
    emailTokens: 0,
    emailCounters: 0,
    rounds: 0,
  };
  while (result.rounds < CLEANUP_MAX_ROUNDS) {
    const { expired, revoked, counters, events, retired, challenges, emailTokens, emailCounters } = await runBatch(db, cleanupStatements(db, config, now));
    result.rounds += 1;
    result.expiredSessions += expired.length;
    result.revokedSessions += revoked.length;
    result.throttleCounters += counters.length;
    result.auditEvents += events.length;
    result.retiredUsernames += retired.length;
    result.mfaChallenges += challenges.length;
    result.emailTokens += emailTokens.length;
    result.emailCounters += emailCounters.length;
    const largest = Math.max(
      expired.length,
      revoked.length,
      counters.length,
      events.length,
      retired.length,
      challenges.length,
      emailTokens.length,
      emailCounters.length,
    );
    if (largest < CLEANUP_BATCH) break;
  }
  return result;
}
