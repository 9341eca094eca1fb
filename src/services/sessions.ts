import { and, desc, eq, gt, isNull, lt, ne, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { refreshTokens, sessions, users, type SessionRow, type UserRow } from '../db/schema';
import type { Config } from '../config';
import type { ClientInfo } from '../lib/client';
import { iso } from '../lib/clock';
import { randomToken, sha256Hex } from '../lib/encoding';
import { uuidv7 } from '../lib/ids';
import { toPage } from '../lib/pagination';
import { recordRevocations, type RevocationReason } from './revocation';

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

/** A new session (refresh-token family): the statements to batch and the token to hand out. */
export async function newSession(db: Db, config: Config, userUuid: string, client: ClientInfo, now: number) {
  const id = uuidv7(now);
  const refreshToken = randomToken(32);
  const absolute = now + config.REFRESH_TOKEN_ABSOLUTE_TTL_SECONDS * 1000;
  const statements = [
    db.insert(sessions).values({
      id,
      userUuid,
      createdAt: now,
      lastUsedAt: now,
      expiresAt: Math.min(now + config.REFRESH_TOKEN_TTL_SECONDS * 1000, absolute),
      absoluteExpiresAt: absolute,
      ...client,
    }),
    db.insert(refreshTokens).values({ hash: await sha256Hex(refreshToken), sessionId: id, createdAt: now }),
  ] as const;
  return { id, refreshToken, statements };
}

/** Deletes the user's sessions that can never be used again (expired, or revoked long enough ago). */
export function pruneSessions(db: Db, config: Config, userUuid: string, now: number) {
  const revokedLongAgo = now - config.ACCESS_TOKEN_TTL_SECONDS * 1000;
  return db
    .delete(sessions)
    .where(
      and(
        eq(sessions.userUuid, userUuid),
        or(lt(sessions.expiresAt, now), lt(sessions.revokedAt, revokedLongAgo)),
      ),
    );
}

export type RotateResult =
  | { ok: true; sessionId: string; refreshToken: string; user: Pick<UserRow, 'uuid' | 'role'> }
  | { ok: false; reused: boolean };

/**
 * Rotates a refresh token in one D1 batch (one round trip, one transaction, no interactive
 * transaction needed):
 *  1. reuse detection: the token was already rotated (outside the grace interval) → revoke
 *     its session (RFC 9700 §4.14.2);
 *  2. compare-and-swap: mark the token replaced only if it is not yet replaced and its session
 *     is live and its user enabled; of two concurrent refreshes exactly one changes the row;
 *  3. store the new token in the same family, 4. slide the session's expiry, 5. read the user.
 */
export async function rotateRefreshToken(
  db: Db,
  kv: KVNamespace,
  config: Config,
  presented: string, client: ClientInfo, now: number): Promise<RotateResult> {
  const oldHash = await sha256Hex(presented);
  const newToken = randomToken(32);
  const newHash = await sha256Hex(newToken);
  const graceStart = now - config.REFRESH_REUSE_GRACE_SECONDS * 1000;
  const sessionOf = (hash: string) => sql`(select ${refreshTokens.sessionId} from ${refreshTokens} where ${refreshTokens.hash} = ${hash})`;

  const [reused, , , slid, owner] = await db.batch([
    db
      .update(sessions)
      .set({ revokedAt: now })
      .where(
        and(
          isNull(sessions.revokedAt),
          sql`${sessions.id} = (select ${refreshTokens.sessionId} from ${refreshTokens} where ${refreshTokens.hash} = ${oldHash} and ${refreshTokens.replacedBy} is not null and ${refreshTokens.replacedAt} <= ${graceStart})`,
        ),
      )
      .returning({ id: sessions.id }),
    db
      .update(refreshTokens)
      .set({ replacedBy: newHash, replacedAt: now })
      .where(
        and(
          eq(refreshTokens.hash, oldHash),
          isNull(refreshTokens.replacedBy),
          sql`${refreshTokens.sessionId} in (select ${sessions.id} from ${sessions} join ${users} on ${users.uuid} = ${sessions.userUuid} where ${sessions.revokedAt} is null and ${sessions.expiresAt} > ${now} and ${sessions.absoluteExpiresAt} > ${now} and ${users.disabled} = 0)`,
        ),
      ),
    db.run(
      sql`insert into ${refreshTokens} (hash, session_id, created_at) select ${newHash}, ${refreshTokens.sessionId}, ${now} from ${refreshTokens} where ${refreshTokens.hash} = ${oldHash} and ${refreshTokens.replacedBy} = ${newHash}`,
    ),
    db
      .update(sessions)
      .set({
        lastUsedAt: now,
        expiresAt: sql`min(${now + config.REFRESH_TOKEN_TTL_SECONDS * 1000}, ${sessions.absoluteExpiresAt})`,
        ...client,
      })
      .where(sql`${sessions.id} = ${sessionOf(newHash)}`)
      .returning({ id: sessions.id, userUuid: sessions.userUuid }),
    db
      .select({ uuid: users.uuid, role: users.role })
      .from(users)
      .innerJoin(sessions, eq(sessions.userUuid, users.uuid))
      .where(sql`${sessions.id} = ${sessionOf(newHash)}`),
  ]);

  if (reused.length > 0) {
    await recordRevocations(kv, reused.map((r) => r.id), 'refresh_token_reuse', config.ACCESS_TOKEN_TTL_SECONDS, now);
  }
  const session = slid[0];
  const user = owner[0];
  if (!session || !user) return { ok: false, reused: reused.length > 0 };
  return { ok: true, sessionId: session.id, refreshToken: newToken, user };
}

/** Revokes sessions in D1 and records each in KV. Returns the ids that were live. */
export async function revokeSessions(
  db: Db,
  kv: KVNamespace,
  config: Config,
  where: { userUuid: string; sessionId?: string; exceptSessionId?: string },
  reason: RevocationReason,
  now: number,
): Promise<string[]> {
  const rows = await db
    .update(sessions)
    .set({ revokedAt: now })
    .where(
      and(
        eq(sessions.userUuid, where.userUuid),
        isNull(sessions.revokedAt),
        where.sessionId ? eq(sessions.id, where.sessionId) : undefined,
        where.exceptSessionId ? ne(sessions.id, where.exceptSessionId) : undefined,
      ),
    )
    .returning({ id: sessions.id });
  const ids = rows.map((r) => r.id);
  await recordRevocations(kv, ids, reason, config.ACCESS_TOKEN_TTL_SECONDS, now);
  return ids;
}

/** Live sessions of a user, newest first. */
export async function listLiveSessions(db: Db, userUuid: string, q: { limit: number; after?: string }, now: number) {
  const rows = await db
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
  return toPage(rows, q.limit, (s) => s.id);
}
