import { and, eq, sql } from 'drizzle-orm';
import { compiled } from '../../db/compiled';
import { users } from '../../db/schema';
import { runBatch, type Statement } from '../../db/statement';
import type { Deps } from '../../deps';
import { auditWrite } from '../audit/events';
import { exportEvents } from '../audit/export';
import { IP_LIMIT_PERIOD_SECONDS, withinIpLimit } from '../ip-limits';
import { insertLogin } from '../logins/statements';
import { recordRevocations } from '../revocation';
import { evictBeyondCap, ifSession } from '../sessions/statements';
import { attemptStatements, blockedFor, clearFailures, throttleKey } from '../throttle';
import { findByLogin, loginKey } from '../users/statements';

/** The user a login opens a session for, as read before PBKDF2 (the stamp guards the insert). */
export interface LoginUser {
  uuid: string;
  role: string;
  securityStamp: number;
}

/**
 * A session about to be opened: its statements (the insert is `session`, which every other
 * statement of the batch depends on) and what the front door hands out once the row exists.
 */
export interface Opening<T> {
  id: string;
  statements: { session: Statement<{ id: string }[], 'write'> } & Record<string, Statement<unknown, 'write'>>;
  handOut: T;
}

/** How a front door turns a checked password into its kind of session: tokens for /token, a cookie for the pages. */
export type Opener<T> = (user: LoginUser, now: number) => Promise<Opening<T>>;

/**
 * What a login ends in. `refused` is one outcome for an unknown user, a wrong password, a
 * disabled user and a login that lost a race with a change to the user: each front door renders
 * it identically, so nothing tells them apart.
 */
export type LoginResult<T> = { kind: 'issued'; userUuid: string; handOut: T } | { kind: 'refused' } | { kind: 'throttled'; retryAfterMs: number };

/** `last_login_at`, and the new hash when the stored one had older parameters; only with the session. */
const recordLogin = compiled('write', ['uuid', 'now', 'newHash', 'sessionId'], (db, p) =>
  db
    .update(users)
    .set({ lastLoginAt: sql`${p.now}`, passwordHash: sql`coalesce(${p.newHash}, ${users.passwordHash})` })
    .where(and(eq(users.uuid, p.uuid), ifSession(p.sessionId))),
);

/**
 * A failed login of a known user is an event; an unknown name is not (there is no user: it is
 * counted by the name's throttle row). Both run this same one-statement batch (for an unknown
 * name the insert's condition matches nothing), so the two cost the same and the timing tells
 * nothing about which it was.
 */
async function recordFailure(deps: Deps, userUuid: string | undefined, reason: string, now: number) {
  const subject = userUuid ?? crypto.randomUUID();
  const { event } = await runBatch(deps.db, {
    event: auditWrite(deps, now, {
      event: 'login.failed',
      subject,
      detail: { reason },
      when: sql`exists (select 1 from ${users} where ${users.uuid} = ${subject})`,
    }),
  });
  exportEvents(deps, event);
}

/**
 * The statements that go with every new session, whatever opened it: the login record, last
 * login (and a re-hash when due), the cap on live sessions, and the `login.succeeded` event, each
 * conditional on the session's insert. `extra` adds a front door's own (the cleared throttle).
 */
export function sessionStartStatements(deps: Deps, user: LoginUser, opening: Opening<unknown>, now: number, newHash: string | null = null) {
  const { db, config, client } = deps;
  return {
    ...opening.statements,
    login: insertLogin(db, user.uuid, opening.id, client, now),
    lastLogin: recordLogin(db, { uuid: user.uuid, now, newHash, sessionId: opening.id }),
    evicted: evictBeyondCap(db, { userUuid: user.uuid, sessionId: opening.id, now, keep: config.MAX_SESSIONS_PER_USER }),
    event: auditWrite(deps, now, {
      event: 'login.succeeded',
      actor: user.uuid,
      subject: user.uuid,
      detail: { session: opening.id },
      when: ifSession(opening.id),
    }),
  };
}

/** After a session's batch: the event exported and the evicted sessions' revocation records written. */
export async function afterSessionStart(deps: Deps, written: { event: unknown[]; evicted: { id: string; lastUsedAt: number }[] }, now: number) {
  exportEvents(deps, written.event as never);
  await recordRevocations(deps.kv, written.evicted, 'session_limit', deps.config.ACCESS_TOKEN_TTL_SECONDS, now);
}

/**
 * A login by name (or email) and password, the same for every front door, in two D1 round
 * trips around PBKDF2:
 *  1. the user (with hash and security stamp), the throttle read and this attempt counted as a
 *     failure up front (so a burst of concurrent guesses cannot slip past the count);
 *  2. after the hash check: the session `open` builds, created only if the user's security stamp
 *     is still the one read in 1 (a password change, log-out-everywhere, role change or disabling
 *     in between ends the login: `refused`), and with it the login record, last login, a re-hash
 *     when due, and the cleared counter.
 */
export async function passwordLogin<T>(deps: Deps, input: { login: string; password: string }, open: Opener<T>): Promise<LoginResult<T>> {
  const { db } = deps;
  if (!(await withinIpLimit(deps, 'login'))) return { kind: 'throttled', retryAfterMs: IP_LIMIT_PERIOD_SECONDS * 1000 };
  const login = input.login.normalize('NFC').trim();
  const key = throttleKey(loginKey(login));
  const now = deps.now();
  const { found, throttle } = await runBatch(db, { found: findByLogin(db, login), ...attemptStatements(db, key, now) });
  const user = found[0];
  const blockedMs = blockedFor(throttle, now);
  if (blockedMs > 0) {
    await recordFailure(deps, user?.uuid, 'throttled', now);
    return { kind: 'throttled', retryAfterMs: blockedMs };
  }

  // An unknown user costs the same PBKDF2 as a known one: no timing oracle for existence.
  if (!user) await deps.passwords.burn(input.password);
  const verdict = user ? await deps.passwords.verify(input.password, user.passwordHash) : null;
  if (!user || !verdict?.ok || user.disabled) {
    await recordFailure(deps, user?.uuid, verdict?.ok ? 'disabled' : 'wrong_password', now);
    return { kind: 'refused' };
  }

  const opening = await open(user, now);
  const newHash = verdict.needsRehash ? await deps.passwords.hash(input.password) : null;
  const written = await runBatch(db, { ...sessionStartStatements(deps, user, opening, now, newHash), cleared: clearFailures(db, key) });
  if (written.session.length === 0) {
    await recordFailure(deps, user.uuid, 'changed_meanwhile', now);
    return { kind: 'refused' };
  }
  await afterSessionStart(deps, written, now);
  return { kind: 'issued', userUuid: user.uuid, handOut: opening.handOut };
}
