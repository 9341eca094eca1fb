import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { refreshTokens, sessions, users, type UserRow } from '../db/schema';
import type { Config } from '../config';
import type { ClientInfo } from '../lib/client';
import { randomToken, sha256Hex } from '../lib/encoding';
import { recordRevocations } from './revocation';
import { isRefreshTokenShaped, REFRESH_TOKEN_BYTES } from './sessions';

export type RotateResult =
  | { ok: true; sessionId: string; refreshToken: string; user: Pick<UserRow, 'uuid' | 'role'> }
  | { ok: false; reused: boolean };

/**
 * Rotates a refresh token in one D1 batch (one round trip, run as one transaction, so no
 * interactive transaction is needed):
 *  1. reuse detection (RFC 9700 §4.14.2): the token was already rotated, longer ago than the
 *     grace interval (REFRESH_REUSE_GRACE_SECONDS, default 0 = every reuse) → revoke its session;
 *  2. compare-and-swap: mark the token replaced only if it is not replaced yet, its session is
 *     live (not revoked, sliding and absolute expiry ahead) and its user enabled. Batches run
 *     one after another, so of two concurrent refreshes exactly one changes the row;
 *  3. store the new token in the same family (only if step 2 changed the row),
 *  4. slide the session's expiry (capped by the absolute one) and note where it was used,
 *  5. read the user's current role for the access token.
 * A reuse inside the grace interval changes nothing: it fails at step 2 like any other
 * rotated token, but leaves the session alive (a racing tab, not a theft).
 */
export async function rotateRefreshToken(db: Db, kv: KVNamespace, config: Config, presented: string, client: ClientInfo, now: number): Promise<RotateResult> {
  if (!isRefreshTokenShaped(presented)) return { ok: false, reused: false };
  const oldHash = await sha256Hex(presented);
  const newToken = randomToken(REFRESH_TOKEN_BYTES);
  const newHash = await sha256Hex(newToken);
  const graceStart = now - config.REFRESH_REUSE_GRACE_SECONDS * 1000;
  const sessionOf = (hash: string) => sql`(select ${refreshTokens.sessionId} from ${refreshTokens} where ${refreshTokens.hash} = ${hash})`;
  // Correlated EXISTS: two primary-key lookups. (`session_id IN (select … live sessions)` would
  // make SQLite list every live session in the table on each refresh.)
  const sessionIsLive = sql`exists (select 1 from ${sessions} join ${users} on ${users.uuid} = ${sessions.userUuid} where ${sessions.id} = ${refreshTokens.sessionId} and ${sessions.revokedAt} is null and ${sessions.expiresAt} > ${now} and ${sessions.absoluteExpiresAt} > ${now} and ${users.disabled} = 0)`;

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
      .returning({ id: sessions.id, lastUsedAt: sessions.lastUsedAt }),
    db
      .update(refreshTokens)
      .set({ replacedBy: newHash, replacedAt: now })
      .where(and(eq(refreshTokens.hash, oldHash), isNull(refreshTokens.replacedBy), sessionIsLive)),
    // insert … select, so nothing is inserted unless step 2 swapped (a raw db.run() cannot be
    // batched by drizzle's D1 driver; an insert builder can). Columns in table order.
    db
      .insert(refreshTokens)
      .select(
        sql`select ${newHash}, ${refreshTokens.sessionId}, ${now}, null, null from ${refreshTokens} where ${refreshTokens.hash} = ${oldHash} and ${refreshTokens.replacedBy} = ${newHash}`,
      ),
    db
      .update(sessions)
      .set({
        lastUsedAt: now,
        expiresAt: sql`min(${now + config.REFRESH_TOKEN_TTL_SECONDS * 1000}, ${sessions.absoluteExpiresAt})`,
        // Where the session was last used; a request without these signals keeps the old values.
        ...(client.ip !== null ? { ip: client.ip } : {}),
        ...(client.userAgent !== null ? { userAgent: client.userAgent } : {}),
        ...(client.country !== null ? { country: client.country } : {}),
      })
      .where(sql`${sessions.id} = ${sessionOf(newHash)}`)
      .returning({ id: sessions.id }),
    db
      .select({ uuid: users.uuid, role: users.role })
      .from(users)
      .innerJoin(sessions, eq(sessions.userUuid, users.uuid))
      .where(sql`${sessions.id} = ${sessionOf(newHash)}`),
  ]);

  if (reused.length > 0) await recordRevocations(kv, reused, 'refresh_token_reuse', config.ACCESS_TOKEN_TTL_SECONDS, now);
  const session = slid[0];
  const user = owner[0];
  if (!session || !user) return { ok: false, reused: reused.length > 0 };
  return { ok: true, sessionId: session.id, refreshToken: newToken, user };
}
