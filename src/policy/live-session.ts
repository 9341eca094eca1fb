import { and, eq, gt, isNull, lte, or, type Placeholder, type SQL } from 'drizzle-orm';
import type { AnySQLiteColumn } from 'drizzle-orm/sqlite-core';

/** The columns the rule reads, from the `sessions` table or an `alias()` of it. */
export interface SessionColumns {
  revokedAt: AnySQLiteColumn;
  expiresAt: AnySQLiteColumn;
  absoluteExpiresAt: AnySQLiteColumn;
}

/** The same fields on a row in memory. */
export interface SessionTimes {
  revokedAt: number | null;
  expiresAt: number;
  absoluteExpiresAt: number;
}

type Instant = number | Placeholder | SQL;

/**
 * The one definition of a live session: not revoked, and both its sliding expiry and its
 * absolute cap still ahead. Every access token, refresh and guarded write depends on it, so
 * an expired session ends everything at once, not only its refresh token (docs/sessions.md).
 * The caller query, the write guards, the refresh compare-and-swap, the hourly cleanup and
 * the admin scripts all build their SQL from here.
 *
 * @example db.select().from(sessions).where(and(eq(sessions.userUuid, uuid), liveSession(sessions, now)))
 */
export const liveSession = (s: SessionColumns, now: Instant, opts: { revokedInBatchAt?: number } = {}): SQL =>
  and(
    // A statement that follows a revocation in its own batch (an admin demoting or disabling
    // themselves) still sees the caller's session as live when this very batch revoked it.
    opts.revokedInBatchAt === undefined ? isNull(s.revokedAt) : or(isNull(s.revokedAt), eq(s.revokedAt, opts.revokedInBatchAt)),
    gt(s.expiresAt, now),
    gt(s.absoluteExpiresAt, now),
  )!;

/**
 * The rule's complement for expiry alone: a session no refresh can ever revive. The sliding
 * expiry is never set past the absolute one (every write takes the min), so `expires_at` alone
 * decides, and the cleanup's range scan stays on its index.
 */
export const sessionExpired = (s: Pick<SessionColumns, 'expiresAt'>, now: Instant): SQL => lte(s.expiresAt, now);

/** `liveSession` on a row already read. */
export const isLiveSession = (s: SessionTimes, now: number): boolean => s.revokedAt === null && s.expiresAt > now && s.absoluteExpiresAt > now;
