import { and, desc, eq, gt, isNull, lt, ne, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client';
import { compiled } from '../db/compiled';
import { refreshTokens, sessions, type SessionRow } from '../db/schema';
import type { Config } from '../config';
import type { ClientInfo } from '../lib/client';
import { iso } from '../lib/clock';
import { randomToken, sha256Hex } from '../lib/encoding';
import { uuidv7 } from '../lib/ids';
import { toPage } from '../lib/pagination';
import { recordRevocations, type RevocationReason } from './revocation';

/** Refresh tokens are 32 random bytes (256 bits), base64url without padding: 43 characters. */
export const REFRESH_TOKEN_BYTES = 32;
const REFRESH_TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** Whether a string could be one of our refresh tokens; anything else is answered without D1. */
export const isRefreshTokenShaped = (token: string) => REFRESH_TOKEN_SHAPE.test(token);

export function toSessionDto(s: SessionRow, currentSessionId?: string) {
  return {
    id: s.id,
    created_at: iso(s.createdAt),
    last_used_at: iso(s.lastUsedAt),
    expires_at: iso(s.expiresAt),
    user_agent: s.userAgent,
    ip: s.ip,
    country: s.country,
    current: s.id === currentSessionId,
  };
}

// The inserts of a password grant, compiled once per isolate (src/db/compiled.ts).
const insertSession = compiled(['id', 'userUuid', 'now', 'expiresAt', 'absolute', 'ip', 'userAgent', 'country'], (db, p) =>
  db.insert(sessions).values({
    id: p.id,
    userUuid: p.userUuid,
    createdAt: p.now,
    lastUsedAt: p.now,
    expiresAt: p.expiresAt,
    absoluteExpiresAt: p.absolute,
    ip: p.ip,
    userAgent: p.userAgent,
    country: p.country,
  }),
);
const insertRefreshToken = compiled(['hash', 'sessionId', 'now'], (db, p) => db.insert(refreshTokens).values({ hash: p.hash, sessionId: p.sessionId, createdAt: p.now }));

/** A new session (refresh-token family): the statements to batch and the token to hand out. */
export async function newSession(db: Db, config: Config, userUuid: string, client: ClientInfo, now: number) {
  const id = uuidv7(now);
  const refreshToken = randomToken(REFRESH_TOKEN_BYTES);
  const absolute = now + config.REFRESH_TOKEN_ABSOLUTE_TTL_SECONDS * 1000;
  const expiresAt = Math.min(now + config.REFRESH_TOKEN_TTL_SECONDS * 1000, absolute);
  const statements = [
    insertSession(db, { id, userUuid, now, expiresAt, absolute, ...client }),
    insertRefreshToken(db, { hash: await sha256Hex(refreshToken), sessionId: id, now }),
  ] as const;
  return { id, refreshToken, statements };
}

export interface SessionFilter {
  userUuid: string;
  sessionId?: string;
  exceptSessionId?: string;
  /** Extra SQL condition, e.g. `callerMay(...)` when batched before the caller is checked. */
  guard?: SQL;
}

/**
 * The statement that revokes a user's live sessions (all, one, or all but one), returning
 * what `recordRevocations` needs. Batch it with other writes, then record the result in KV.
 */
export function revokeSessionsStatement(db: Db, where: SessionFilter, now: number) {
  return db
    .update(sessions)
    .set({ revokedAt: now })
    .where(
      and(
        eq(sessions.userUuid, where.userUuid),
        isNull(sessions.revokedAt),
        where.sessionId !== undefined ? eq(sessions.id, where.sessionId) : undefined,
        where.exceptSessionId !== undefined ? ne(sessions.id, where.exceptSessionId) : undefined,
        where.guard,
      ),
    )
    .returning({ id: sessions.id, lastUsedAt: sessions.lastUsedAt });
}

/** Revokes sessions in D1 and records each in KV. Returns the ids that were live. */
export async function revokeSessions(db: Db, kv: KVNamespace, config: Config, where: SessionFilter, reason: RevocationReason, now: number) {
  const revoked = await revokeSessionsStatement(db, where, now);
  await recordRevocations(kv, revoked, reason, config.ACCESS_TOKEN_TTL_SECONDS, now);
  return revoked.map((r) => r.id);
}

/**
 * Revokes the session a refresh token (current or already rotated) belongs to: RFC 7009
 * logout. One conditional update; a token that is unknown, malformed or of an ended session
 * changes nothing.
 */
export async function revokeSessionOfRefreshToken(db: Db, kv: KVNamespace, config: Config, token: string, now: number) {
  if (!isRefreshTokenShaped(token)) return [];
  const hash = await sha256Hex(token);
  const revoked = await db
    .update(sessions)
    .set({ revokedAt: now })
    .where(and(isNull(sessions.revokedAt), sql`${sessions.id} = (select ${refreshTokens.sessionId} from ${refreshTokens} where ${refreshTokens.hash} = ${hash})`))
    .returning({ id: sessions.id, lastUsedAt: sessions.lastUsedAt });
  await recordRevocations(kv, revoked, 'logout', config.ACCESS_TOKEN_TTL_SECONDS, now);
  return revoked.map((r) => r.id);
}

/** Live sessions of a user (not revoked, not expired), newest first, `limit + 1` rows. */
export function liveSessionsQuery(db: Db, userUuid: string, q: { limit: number; after?: string }, now: number) {
  return db
    .select()
    .from(sessions)
    .where(
      and(
        eq(sessions.userUuid, userUuid),
        isNull(sessions.revokedAt),
        gt(sessions.expiresAt, now),
        q.after ? lt(sessions.id, q.after) : undefined,
      ),
    )
    .orderBy(desc(sessions.id))
    .limit(q.limit + 1);
}

export const sessionsPage = (rows: SessionRow[], limit: number) => toPage(rows, limit, (s) => s.id);

export async function listLiveSessions(db: Db, userUuid: string, q: { limit: number; after?: string }, now: number) {
  return sessionsPage(await liveSessionsQuery(db, userUuid, q, now), q.limit);
}
