import { and, eq, isNull, type Placeholder, sql } from 'drizzle-orm';
import { compiled } from '../../db/compiled';
import { auditEvents, clients, refreshTokens, sessions, users } from '../../db/schema';
import { runBatch } from '../../db/statement';
import { randomToken, sha256Hex } from '../../lib/encoding';
import { uuidv7 } from '../../lib/ids';
import { liveSession } from '../../policy/live-session';
import { exportEvents } from '../audit/export';
import type { Deps } from '../../deps';
import { recordRevocations } from '../revocation';
import { isRefreshTokenShaped, REFRESH_TOKEN_BYTES } from '../sessions/statements';
import { issueAccessToken } from './access-token';
import type { Tokens } from './password-grant';

/** `refused` covers unknown, rotated, expired and revoked tokens alike; `reused` says a session was just ended for reuse. */
export type RefreshGrantResult = { kind: 'issued'; tokens: Tokens } | { kind: 'refused'; reused: boolean };

const sessionOf = (hash: Placeholder) => sql`(select ${refreshTokens.sessionId} from ${refreshTokens} where ${refreshTokens.hash} = ${hash})`;

// The five statements of a rotation (steps 1-5 at rotateRefreshToken), compiled to SQL once per
// isolate: they run on every refresh, and building them per request cost ~0.2 ms of CPU.
const revokeIfReused = compiled('write', ['now', 'oldHash', 'graceStart'], (db, p) =>
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
// A session made through a third-party client rotates only with that client's key when a key is
// sent (`bound`): SPEC "Tokens obtained with a key … work only together with that same key".
const swap = compiled('write', ['now', 'oldHash', 'newHash', 'keyHash', 'bound'], (db, p) =>
  db
    .update(refreshTokens)
    .set({ replacedBy: sql`${p.newHash}`, replacedAt: sql`${p.now}` })
    .where(
      and(
        eq(refreshTokens.hash, p.oldHash),
        isNull(refreshTokens.replacedBy),
        sql`exists (select 1 from ${sessions} join ${users} on ${users.uuid} = ${sessions.userUuid} where ${sessions.id} = ${refreshTokens.sessionId} and ${liveSession(sessions, p.now)} and ${users.disabled} = 0 and (${p.bound} = 0 or ${sessions.clientId} is null or ${sessions.clientId} = (select ${clients.id} from ${clients} where ${clients.keyHash} = ${p.keyHash} and ${clients.revokedAt} is null)))`,
      ),
    ),
);

// insert … select, so nothing is inserted unless the swap changed the row (a raw db.run() cannot
// be batched by drizzle's D1 driver; an insert builder can). Columns in table order.
const storeNew = compiled('write', ['now', 'oldHash', 'newHash'], (db, p) =>
  db
    .insert(refreshTokens)
    .select(
      sql`select ${p.newHash}, ${refreshTokens.sessionId}, ${p.now}, null, null from ${refreshTokens} where ${refreshTokens.hash} = ${p.oldHash} and ${refreshTokens.replacedBy} = ${p.newHash}`,
    ),
);

// Where the session was last used: a request without one of these signals (null) keeps the old value.
const slide = compiled('write', ['now', 'newHash', 'slideTo', 'ip', 'userAgent', 'country'], (db, p) =>
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
    .returning({ id: sessions.id, amr: sessions.amr, clientId: sessions.clientId }),
);

// The reuse's event, written only if step 1 revoked the session in this batch (its revoked_at is
// ours), under the client the session was opened through (whoever replayed the token).
const reuseEvent = compiled('write', ['id', 'now', 'oldHash', 'ip', 'userAgent', 'country', 'firstParty'], (db, p) =>
  db
    .insert(auditEvents)
    .select(
      sql`select ${p.id}, ${p.now}, 'session.reuse_detected', null, s.user_uuid, ${p.ip}, ${p.userAgent}, ${p.country}, coalesce(s.client_id, ${p.firstParty}), json_object('session', s.id) from ${sessions} s where s.id = ${sessionOf(p.oldHash)} and s.revoked_at = ${p.now}`,
    )
    .returning(),
);

const ownerOf = compiled('read', ['newHash'], (db, p) =>
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
 *  5. read the user's current role for the access token (the session gives its `amr`).
 * Then the access token is signed for the user's current role.
 * A reuse inside the grace interval changes nothing: it fails at step 2 like any other
 * rotated token, but leaves the session alive (a racing tab, not a theft).
 */
export async function refreshGrant(deps: Deps, input: { refreshToken: string }): Promise<RefreshGrantResult> {
  const { db, config, client } = deps;
  if (!isRefreshTokenShaped(input.refreshToken)) return { kind: 'refused', reused: false };
  const now = deps.now();
  const oldHash = await sha256Hex(input.refreshToken);
  const newToken = randomToken(REFRESH_TOKEN_BYTES);
  const newHash = await sha256Hex(newToken);
  const graceStart = now - config.REFRESH_REUSE_GRACE_SECONDS * 1000;
  const slideTo = now + config.REFRESH_TOKEN_TTL_SECONDS * 1000;

  const { reused, slid, owner, event } = await runBatch(db, {
    reused: revokeIfReused(db, { now, oldHash, graceStart }),
    event: reuseEvent(db, { id: uuidv7(now), now, oldHash, ...client, firstParty: config.FIRST_PARTY_CLIENT_ID }),
    swapped: swap(db, { now, oldHash, newHash, keyHash: deps.apiKey?.hash ?? null, bound: deps.apiKey ? 1 : 0 }),
    stored: storeNew(db, { now, oldHash, newHash }),
    slid: slide(db, { now, newHash, slideTo, ...client }),
    owner: ownerOf(db, { newHash }),
  });

  if (reused.length > 0) await recordRevocations(deps.kv, reused, 'refresh_token_reuse', config.ACCESS_TOKEN_TTL_SECONDS, now);
  exportEvents(deps, event);
  const session = slid[0];
  const user = owner[0];
  if (!session || !user) return { kind: 'refused', reused: reused.length > 0 };
  // The methods of the login that made the session (RFC 8176), kept across every refresh.
  // The session's client stays on every token of the family (first-party when it has none).
  const access = await issueAccessToken(
    deps,
    { sub: user.uuid, sid: session.id, role: user.role, amr: session.amr.split(' '), clientId: session.clientId ?? config.FIRST_PARTY_CLIENT_ID },
    now,
  );
  return { kind: 'issued', tokens: { accessToken: access.token, expiresIn: access.expiresIn, refreshToken: newToken } };
}
