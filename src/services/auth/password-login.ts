import { and, eq, sql } from 'drizzle-orm';
import { compiled } from '../../db/compiled';
import { mfaChallenges, users } from '../../db/schema';
import { runBatch, type Statement } from '../../db/statement';
import type { Deps } from '../../deps';
import { randomToken, sha256Hex } from '../../lib/encoding';
import { insertChallenge, MFA_TOKEN_TTL_MS } from '../mfa/statements';
import { auditWrite } from '../audit/events';
import { exportEvents } from '../audit/export';
import { IP_LIMIT_PERIOD_SECONDS, withinIpLimit } from '../ip-limits';
import { insertLogin } from '../logins/statements';
import { recordRevocations } from '../revocation';
import { evictBeyondCap, ifSession, type SessionProof } from '../sessions/statements';
import { attemptStatements, blockedFor, clearFailures, throttleKey } from '../throttle';
import { findByLogin, loginKey } from '../users/statements';

/** mfa_tokens are 32 random bytes (SPEC: at least 128 bits), base64url: 43 characters. */
export const MFA_TOKEN_BYTES = 32;

/** The user a login opens a session for, as read before PBKDF2 (the stamp guards the insert). */
export interface LoginUser {
  uuid: string;
  role: string;
  securityStamp: number;
  mfaEnabled: boolean;
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

/**
 * How a front door turns a checked login into its kind of session: tokens for /token, a cookie
 * for the pages. `proof` says what was checked (the methods for `amr`, the spent challenge).
 */
export type Opener<T> = (user: LoginUser, now: number, proof: SessionProof) => Promise<Opening<T>>;

/** Which front door a login came through, so its second step can only finish there ("remember me" included). */
export type LoginDoor = 'token' | 'page' | 'page_remember';

/**
 * What a login ends in. `refused` is one outcome for an unknown user, a wrong password, a
 * disabled user and a login that lost a race with a change to the user: each front door renders
 * it identically, so nothing tells them apart.
 */
export type LoginResult<T> =
  | { kind: 'issued'; userUuid: string; handOut: T }
  | { kind: 'mfa_required'; mfaToken: string }
  | { kind: 'refused' }
  /** The password was right but REQUIRE_VERIFIED_EMAIL is on and the address is unverified: no session. */
  | { kind: 'unverified' }
  | { kind: 'throttled'; retryAfterMs: number };

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
export async function recordFailure(deps: Deps, userUuid: string | undefined, reason: string, now: number) {
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
 * The password was right and the user has a second factor: a challenge (the `mfa_token`), stored
 * by its hash while the user's stamp is the one read, and nothing else: no session, login record
 * or KV record. The throttle count stays (the attempt was counted up front): only the second
 * factor clears it, so guessing codes with a known password is throttled like guessing passwords.
 */
async function challenge(
  deps: Deps,
  user: LoginUser,
  c: { throttleKey: string; door: LoginDoor; newHash: string | null },
  now: number,
): Promise<LoginResult<never>> {
  const mfaToken = randomToken(MFA_TOKEN_BYTES);
  const hash = await sha256Hex(mfaToken);
  const written = await runBatch(deps.db, {
    challenge: insertChallenge(deps.db, {
      hash,
      userUuid: user.uuid,
      stamp: user.securityStamp,
      throttleKey: c.throttleKey,
      door: c.door,
      now,
      expiresAt: now + MFA_TOKEN_TTL_MS,
      // The key's client (the login's first batch checked the key): the second step needs the same key.
      clientId: deps.apiKey?.client?.id ?? null,
    }),
    rehash: recordRehash(deps.db, { uuid: user.uuid, newHash: c.newHash, hash }),
  });
  if (written.challenge.length === 0) {
    await recordFailure(deps, user.uuid, 'changed_meanwhile', now);
    return { kind: 'refused' };
  }
  return { kind: 'mfa_required', mfaToken };
}

/** The re-hash of a login that continues to its second factor: with the challenge, as the session would. */
const recordRehash = compiled('write', ['uuid', 'newHash', 'hash'], (db, p) =>
  db
    .update(users)
    .set({ passwordHash: sql`coalesce(${p.newHash}, ${users.passwordHash})` })
    .where(and(eq(users.uuid, p.uuid), sql`exists (select 1 from ${mfaChallenges} where ${mfaChallenges.hash} = ${p.hash})`)),
);

/**
 * A login by name (or email) and password, the same for every front door, in two D1 round
 * trips around PBKDF2:
 *  1. the user (with hash and security stamp), the throttle read and this attempt counted as a
 *     failure up front (so a burst of concurrent guesses cannot slip past the count);
 *  2. after the hash check: the session `open` builds, created only if the user's security stamp
 *     is still the one read in 1 (a password change, log-out-everywhere, role change or disabling
 *     in between ends the login: `refused`), and with it the login record, last login, a re-hash
 *     when due, and the cleared counter.
 * A user with a second factor gets no session from the password alone: an `mfa_required` challenge
 * instead (second-factor.ts finishes it), and the attempt stays counted until the code is right.
 */
export async function passwordLogin<T>(deps: Deps, input: { login: string; password: string }, open: Opener<T>, door: LoginDoor): Promise<LoginResult<T>> {
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
  if (deps.config.REQUIRE_VERIFIED_EMAIL === 'on' && !user.emailVerified) {
    await recordFailure(deps, user.uuid, 'email_unverified', now);
    return { kind: 'unverified' };
  }

  const newHash = verdict.needsRehash ? await deps.passwords.hash(input.password) : null;
  if (user.mfaEnabled) return challenge(deps, user, { throttleKey: key, door, newHash }, now);
  const opening = await open(user, now, { amr: 'pwd' });
  const written = await runBatch(db, { ...sessionStartStatements(deps, user, opening, now, newHash), cleared: clearFailures(db, key) });
  if (written.session.length === 0) {
    await recordFailure(deps, user.uuid, 'changed_meanwhile', now);
    return { kind: 'refused' };
  }
  await afterSessionStart(deps, written, now);
  return { kind: 'issued', userUuid: user.uuid, handOut: opening.handOut };
}
