import { and, eq, isNull, sql, type Placeholder } from 'drizzle-orm';
import type { Db } from '../db/client';
import { compiled } from '../db/compiled';
import { refreshTokens, sessions, users, type UserRow } from '../db/schema';
import type { Config } from '../config';
import type { ClientInfo } from '../lib/client';
import { randomToken, sha256Hex } from '../lib/encoding';
import { recordRevocations } from './revocation';
import { isRefreshTokenShaped, REFRESH_TOKEN_BYTES } from './sessions';

export type RotateResult =
  | { ok: true; sessionId: string; refreshToken: string; user: Pick<UserRow, 'uuid' | 'role'> }
  | { ok: false; reused: boolean };

const sessionOf = (hash: Placeholder) => sql`(select ${refreshTokens.sessionId} from ${refreshTokens} where ${refreshTokens.hash} = ${hash})`;

// The five statements of a rotation (steps 1-5 at rotateRefreshToken), compiled to SQL once per
// isolate: they run on every refresh, and building them per request cost ~0.2 ms of CPU.
const revokeIfReused = compiled(['now', 'oldHash', 'graceStart'], (db, p) =>
  db
    .update(sessions)
    .set({ revokedAt: sql`${p.now}` })
    .where(
      and(
        isNull(sessions.revokedAt),
        sql`${sessions.id} = (select ${refreshTokens.sessionId} from ${refreshTokens} where ${refreshTokens.hash} = ${p.oldHash} and ${refreshTokens.replacedBy} is not null and ${refreshTokens.replacedAt} <= ${p.graceStart})`,
      ),
    )
    .returning({ id: sessions.id, lastUsedAt: sessions.lastUsedAt }),
);

// Correlated EXISTS: two primary-key lookups. (`session_id IN (select … live sessions)` would
// make SQLite list every live session in the table on each refresh.)
const swap = compiled(['now', 'oldHash', 'newHash'], (db, p) =>
  db
    .update(refreshTokens)
    .set({ replacedBy: sql`${p.newHash}`, replacedAt: sql`${p.now}` })
    .where(
      and(
        eq(refreshTokens.hash, p.oldHash),
        isNull(refreshTokens.replacedBy),
        sql`exists (select 1 from ${sessions} join ${users} on ${users.uuid} = ${sessions.userUuid} where ${sessions.id} = ${refreshTokens.sessionId} and ${sessions.revokedAt} is null and ${sessions.expiresAt} > ${p.now} and ${sessions.absoluteExpiresAt} > ${p.now} and ${users.disabled} = 0)`,
      ),
    ),
);

// insert … select, so nothing is inserted unless the swap changed the row (a raw db.run() cannot
// be batched by drizzle's D1 driver; an insert builder can). Columns in table order.
const storeNew = compiled(['now', 'oldHash', 'newHash'], (db, p) =>
  db
    .insert(refreshTokens)
    .select(
      sql`select ${p.newHash}, ${refreshTokens.sessionId}, ${p.now}, null, null from ${refreshTokens} where ${refreshTokens.hash} = ${p.oldHash} and ${refreshTokens.replacedBy} = ${p.newHash}`,
    ),
);

// Where the session was last used: a request without one of these signals (null) keeps the old value.
const slide = compiled(['now', 'newHash', 'slideTo', 'ip', 'userAgent', 'country'], (db, p) =>
  db
    .update(sessions)
    .set({
      lastUsedAt: sql`${p.now}`,
      expiresAt: sql`min(${p.slideTo}, ${sessions.absoluteExpiresAt})`,
      ip: sql`coalesce(${p.ip}, ${sessions.ip})`,
      userAgent: sql`coalesce(${p.userAgent}, ${sessions.userAgent})`,
      country: sql`coalesce(${p.country}, ${sessions.country})`,
    })
    .where(sql`${sessions.id} = ${sessionOf(p.newHash)}`)
    .returning({ id: sessions.id }),
);

const ownerOf = compiled(['newHash'], (db, p) =>
  db
    .select({ uuid: users.uuid, role: users.role })
    .from(users)
    .innerJoin(sessions, eq(sessions.userUuid, users.uuid))
    .where(sql`${sessions.id} = ${sessionOf(p.newHash)}`),
);

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
  const slideTo = now + config.REFRESH_TOKEN_TTL_SECONDS * 1000;

  const [reused, , , slid, owner] = await db.batch([
    revokeIfReused(db, { now, oldHash, graceStart }),
    swap(db, { now, oldHash, newHash }),
    storeNew(db, { now, oldHash, newHash }),
    slide(db, { now, newHash, slideTo, ...client }),
    ownerOf(db, { newHash }),
  ]);

  if (reused.length > 0) await recordRevocations(kv, reused, 'refresh_token_reuse', config.ACCESS_TOKEN_TTL_SECONDS, now);
  const session = slid[0];
  const user = owner[0];
  if (!session || !user) return { ok: false, reused: reused.length > 0 };
  return { ok: true, sessionId: session.id, refreshToken: newToken, user };
}
