import { and, desc, eq, isNull, lt, ne, type SQL, sql } from 'drizzle-orm';
import type { Config } from '../../config';
import type { Db } from '../../db/client';
import { compiled } from '../../db/compiled';
import { alias } from 'drizzle-orm/sqlite-core';
import { mfaChallenges, refreshTokens, type SessionRow, sessions, users } from '../../db/schema';
import { read, write } from '../../db/statement';
import type { ClientInfo } from '../../lib/client';
import { randomToken, sha256Hex } from '../../lib/encoding';
import { uuidv7 } from '../../lib/ids';
import { toPage } from '../../lib/pagination';
import { type Guard, guarded } from '../../policy/guard';
import { liveSession } from '../../policy/live-session';
import { bumpStamp, stampHolds } from '../users/statements';

/** Refresh tokens are 32 random bytes (256 bits), base64url without padding: 43 characters. */
export const REFRESH_TOKEN_BYTES = 32;
const REFRESH_TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** Whether a string could be one of our refresh tokens; anything else is answered without D1. */
export const isRefreshTokenShaped = (token: string) => REFRESH_TOKEN_SHAPE.test(token);

/** The session `id` exists: later statements of a grant's batch depend on its insert. */
export const ifSession = (id: unknown) => sql`exists (select 1 from ${sessions} where ${sessions.id} = ${id})`;

// A new session's inserts, compiled once per isolate (src/db/compiled.ts). insert … select, so
// the session is created only while the user's security stamp is the one the grant read (and,
// after a second factor, only by the request that spent its challenge), and the refresh token
// only with its session. Columns in table order.
const challengeSpentBy = (challenge: unknown, sessionId: unknown) =>
  sql`(${challenge} is null or exists (select 1 from ${mfaChallenges} where ${mfaChallenges.hash} = ${challenge} and ${mfaChallenges.sessionId} = ${sessionId}))`;
const insertSession = compiled(
  'write',
  ['id', 'userUuid', 'stamp', 'now', 'expiresAt', 'absolute', 'ip', 'userAgent', 'country', 'cookieHash', 'idleSeconds', 'amr', 'challenge', 'clientId'],
  (db, p) =>
    db
      .insert(sessions)
      .select(
        sql`select ${p.id}, ${p.userUuid}, ${p.now}, ${p.now}, ${p.expiresAt}, ${p.absolute}, null, ${p.userAgent}, ${p.ip}, ${p.country}, ${p.cookieHash}, ${p.idleSeconds}, ${p.amr}, ${p.clientId} where ${stampHolds(p.userUuid, p.stamp)} and ${challengeSpentBy(p.challenge, p.id)}`,
      )
      .returning({ id: sessions.id }),
);
const insertRefreshToken = compiled('write', ['hash', 'sessionId', 'now'], (db, p) =>
  db.insert(refreshTokens).select(sql`select ${p.hash}, ${p.sessionId}, ${p.now}, null, null where ${ifSession(p.sessionId)}`),
);

/**
 * Ends the user's oldest sessions beyond the newest `keep` live ones, once the grant's own
 * session exists: a cap, so that revoking all of a user's sessions (log out everywhere, a
 * password change) writes at most `keep` KV records, far inside a Worker invocation's 1,000 KV
 * operations and its subrequest limit.
 */
const kept = alias(sessions, 'kept');
export const evictBeyondCap = compiled('write', ['userUuid', 'sessionId', 'now', 'keep'], (db, p) =>
  db
    .update(sessions)
    .set({ revokedAt: sql`${p.now}` })
    .where(
      and(
        eq(sessions.userUuid, p.userUuid),
        isNull(sessions.revokedAt),
        ifSession(p.sessionId),
        sql`${sessions.id} not in (select ${kept.id} from ${sessions} "kept" where ${kept.userUuid} = ${p.userUuid} and ${liveSession(kept, p.now)} order by ${kept.id} desc limit ${p.keep})`,
      ),
    )
    .returning({ id: sessions.id, lastUsedAt: sessions.lastUsedAt }),
);

/** The times of a session that starts now and slides by `idleSeconds` (capped by the absolute TTL). */
function sessionTimes(config: Config, now: number, idleSeconds: number) {
  const absolute = now + config.REFRESH_TOKEN_ABSOLUTE_TTL_SECONDS * 1000;
  return { absolute, expiresAt: Math.min(now + idleSeconds * 1000, absolute) };
}

/** RFC 8176 methods a login proved: the password, then maybe a one-time code. */
export type Amr = 'pwd' | 'pwd otp';

/** How a session is opened: the methods proved, and the second factor's challenge that must have been spent for it. */
export interface SessionProof {
  amr: Amr;
  challenge?: string;
  /** The third-party client whose API key came with the login (absent: first-party). */
  clientId?: string;
}

type SessionOwner = { uuid: string; securityStamp: number };

/**
 * The session row's insert, shared by both kinds: `cookieHash` and `idleSeconds` only for a browser
 * session (which slides by its own idle time), `clientId` only for a refresh-token session made
 * through a third-party client's key.
 */
function sessionRow(
  db: Db,
  config: Config,
  id: string,
  user: SessionOwner,
  client: ClientInfo,
  now: number,
  proof: SessionProof,
  browser?: { cookieHash: string; idleSeconds: number },
) {
  const times = sessionTimes(config, now, browser?.idleSeconds ?? config.REFRESH_TOKEN_TTL_SECONDS);
  return insertSession(db, {
    id,
    userUuid: user.uuid,
    stamp: user.securityStamp,
    now,
    ...times,
    ...client,
    cookieHash: browser?.cookieHash ?? null,
    idleSeconds: browser?.idleSeconds ?? null,
    amr: proof.amr,
    challenge: proof.challenge ?? null,
    clientId: browser ? null : (proof.clientId ?? null),
  });
}

/**
 * A new session (refresh-token family) for a user whose security stamp the caller read: the
 * statements to batch, the id and the token to hand out once the batch created the row. `amr`
 * stays with the session, so every refresh issues tokens with the methods of the login.
 */
export async function newSession(db: Db, config: Config, user: SessionOwner, client: ClientInfo, now: number, proof: SessionProof = { amr: 'pwd' }) {
  const id = uuidv7(now);
  const refreshToken = randomToken(REFRESH_TOKEN_BYTES);
  const statements = {
    session: sessionRow(db, config, id, user, client, now, proof),
    refreshToken: insertRefreshToken(db, { hash: await sha256Hex(refreshToken), sessionId: id, now }),
  };
  return { id, refreshToken, statements };
}

/**
 * A new browser session: the same row as a refresh-token family (listed, revoked and expired by
 * the same rules) with no refresh token, authenticated by a cookie whose secret is stored only
 * as its SHA-256. "Remember me" slides it by the refresh-token TTL; otherwise by the short
 * PAGE_SESSION_IDLE_SECONDS (and the cookie ends with the browser).
 */
export async function newBrowserSession(
  db: Db,
  config: Config,
  user: SessionOwner,
  client: ClientInfo,
  now: number,
  remember: boolean,
  proof: SessionProof = { amr: 'pwd' },
) {
  const id = uuidv7(now);
  const secret = randomToken(REFRESH_TOKEN_BYTES);
  const idleSeconds = remember ? config.REFRESH_TOKEN_TTL_SECONDS : config.PAGE_SESSION_IDLE_SECONDS;
  const statements = { session: sessionRow(db, config, id, user, client, now, proof, { cookieHash: await sha256Hex(secret), idleSeconds }) };
  return { id, secret, statements, maxAgeSeconds: remember ? config.REFRESH_TOKEN_ABSOLUTE_TTL_SECONDS : undefined };
}

export interface SessionFilter {
  userUuid: string;
  sessionId?: string;
  exceptSessionId?: string;
}

const revokeQuery = (db: Db, where: SessionFilter, now: number, guard?: SQL) =>
  db
    .update(sessions)
    .set({ revokedAt: now })
    .where(
      and(
        eq(sessions.userUuid, where.userUuid),
        isNull(sessions.revokedAt),
        where.sessionId !== undefined ? eq(sessions.id, where.sessionId) : undefined,
        where.exceptSessionId !== undefined ? ne(sessions.id, where.exceptSessionId) : undefined,
        guard,
      ),
    )
    .returning({ id: sessions.id, lastUsedAt: sessions.lastUsedAt });

/**
 * Revokes a user's unrevoked sessions (all, one, or all but one) under the caller's guard,
 * returning what `recordRevocations` needs. `extra` narrows it further (a patch revokes only
 * when it changes the role).
 */
export const revokeSessions = (db: Db, where: SessionFilter, guard: Guard, now: number, extra?: SQL) =>
  guarded(guard, (may) => revokeQuery(db, where, now, and(may, extra)));

/** The same without a caller: logout by token (RFC 7009) and erasure after its own check. */
export const revokeSessionsUnguarded = (db: Db, where: SessionFilter, now: number) => write(revokeQuery(db, where, now));

/** Ends every grant in flight for the user (their security stamp moves on), under the caller's guard. */
export const endGrantsInFlight = (db: Db, userUuid: string, guard: Guard, extra?: SQL) =>
  guarded(guard, (may) =>
    db
      .update(users)
      .set({ securityStamp: bumpStamp })
      .where(and(eq(users.uuid, userUuid), may, extra))
      .returning({ uuid: users.uuid }),
  );

/** SQL true when this batch (at `now`) revoked a session of the user (that one, when given): an event's condition. */
export const revokedHere = (userUuid: string | SQL, now: number, sessionId?: string | SQL) =>
  sql`exists (select 1 from ${sessions} where ${sessions.userUuid} = ${userUuid} and ${sessions.revokedAt} = ${now}${sessionId === undefined ? sql`` : sql` and ${sessions.id} = ${sessionId}`})`;

/** How many of the user's sessions this batch revoked, for an event's detail. */
export const revokedCount = (userUuid: string, now: number) =>
  sql`(select count(*) from ${sessions} where ${sessions.userUuid} = ${userUuid} and ${sessions.revokedAt} = ${now})`;

/** Revokes the session a refresh token (current or already rotated) belongs to: RFC 7009 logout. */
export const revokeByRefreshHash = (db: Db, hash: string, now: number) =>
  write(
    db
      .update(sessions)
      .set({ revokedAt: now })
      .where(
        and(isNull(sessions.revokedAt), sql`${sessions.id} = (select ${refreshTokens.sessionId} from ${refreshTokens} where ${refreshTokens.hash} = ${hash})`),
      )
      .returning({ id: sessions.id, lastUsedAt: sessions.lastUsedAt }),
  );

/** Live sessions of a user, newest first, `limit + 1` rows. */
export const liveSessionsOf = (db: Db, userUuid: string, q: { limit: number; after?: string }, now: number) =>
  read(
    db
      .select()
      .from(sessions)
      .where(and(eq(sessions.userUuid, userUuid), liveSession(sessions, now), q.after ? lt(sessions.id, q.after) : undefined))
      .orderBy(desc(sessions.id))
      .limit(q.limit + 1),
  );

export const sessionsPage = (rows: SessionRow[], limit: number) => toPage(rows, limit, (s) => s.id);

/** The sha-256 of a presented refresh token, or null when it cannot be one of ours. */
export const refreshHashOf = async (token: string) => (isRefreshTokenShaped(token) ? sha256Hex(token) : null);
