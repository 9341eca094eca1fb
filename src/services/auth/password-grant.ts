import { runBatch } from '../../db/statement';
import { compiled } from '../../db/compiled';
import { users } from '../../db/schema';
import { and, eq, sql } from 'drizzle-orm';
import type { Deps } from '../../deps';
import { IP_LIMIT_PERIOD_SECONDS, withinIpLimit } from '../ip-limits';
import { insertLogin } from '../logins/statements';
import { recordRevocations } from '../revocation';
import { evictBeyondCap, ifSession, newSession } from '../sessions/statements';
import { attemptStatements, blockedFor, clearFailures, throttleKey } from '../throttle';
import { findByLogin, loginKey } from '../users/statements';
import { auditWrite } from '../audit/events';
import { exportEvents } from '../audit/export';
import { issueAccessToken } from './access-token';

export interface Tokens {
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
}

/**
 * What a password grant ends in. `refused` is one outcome for an unknown user, a wrong
 * password, a disabled user and a grant that lost a race with a change to the user: each front
 * door renders it identically, so nothing tells them apart.
 */
export type PasswordGrantResult = { kind: 'issued'; tokens: Tokens; userUuid: string } | { kind: 'refused' } | { kind: 'throttled'; retryAfterMs: number };

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
 * The password grant, in two D1 round trips around PBKDF2:
 *  1. the user (with hash and security stamp), the throttle read and this attempt counted as a
 *     failure up front (so a burst of concurrent guesses cannot slip past the count);
 *  2. after the hash check: the session, created only if the user's security stamp is still the
 *     one read in 1 (a password change, log-out-everywhere, role change or disabling in between
 *     ends the grant: `refused`), and with it the refresh token, the login record, last login,
 *     a re-hash when due, and the cleared counter.
 */
export async function passwordGrant(deps: Deps, input: { login: string; password: string }): Promise<PasswordGrantResult> {
  const { db, config, client } = deps;
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

  const session = await newSession(db, config, user, client, now);
  const access = await issueAccessToken(deps, { sub: user.uuid, sid: session.id, role: user.role }, now);
  const newHash = verdict.needsRehash ? await deps.passwords.hash(input.password) : null;
  const written = await runBatch(db, {
    ...session.statements,
    login: insertLogin(db, user.uuid, session.id, client, now),
    lastLogin: recordLogin(db, { uuid: user.uuid, now, newHash, sessionId: session.id }),
    cleared: clearFailures(db, key),
    evicted: evictBeyondCap(db, { userUuid: user.uuid, sessionId: session.id, now, keep: config.MAX_SESSIONS_PER_USER }),
    event: auditWrite(deps, now, {
      event: 'login.succeeded',
      actor: user.uuid,
      subject: user.uuid,
      detail: { session: session.id },
      when: ifSession(session.id),
    }),
  });
  if (written.session.length === 0) {
    await recordFailure(deps, user.uuid, 'changed_meanwhile', now);
    return { kind: 'refused' };
  }
  exportEvents(deps, written.event);
  await recordRevocations(deps.kv, written.evicted, 'session_limit', config.ACCESS_TOKEN_TTL_SECONDS, now);
  return { kind: 'issued', userUuid: user.uuid, tokens: { accessToken: access.token, expiresIn: access.expiresIn, refreshToken: session.refreshToken } };
}
