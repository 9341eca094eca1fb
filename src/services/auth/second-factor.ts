import { sql } from 'drizzle-orm';
import { read, runBatch, type Statement, write } from '../../db/statement';
import type { Deps } from '../../deps';
import { sha256Hex } from '../../lib/encoding';
import { open as openSealed } from '../../lib/secret-box';
import { normaliseRecoveryCode, recoveryCodeHash } from '../../lib/recovery-codes';
import { matchingStep } from '../../lib/totp';
import { auditWrite } from '../audit/events';
import { exportEvents } from '../audit/export';
import { secondFactorNotice } from '../email/messages';
import { sendLater } from '../email/send';
import { mfaKeys, totpContext } from '../mfa/keys';
import { challengeAccount, challengeThrottleKey, claimChallenge, MFA_TOKEN_ATTEMPTS, spendChallenge, useRecoveryCode, useStep } from '../mfa/statements';
import { ifSession } from '../sessions/statements';
import { blockedFor, clearFailures, countAttempt, readThrottle } from '../throttle';
import { afterSessionStart, type LoginDoor, type LoginResult, MFA_TOKEN_BYTES, type Opener, recordFailure, sessionStartStatements } from './password-login';

export type SecondFactor = { otp: string } | { recoveryCode: string };

const TOKEN_SHAPE = new RegExp(`^[A-Za-z0-9_-]{${Math.ceil((MFA_TOKEN_BYTES * 4) / 3)}}$`);

/**
 * The second step of a login (`mfa-otp` and `mfa-recovery-code` grants, and the pages' code form),
 * in two D1 round trips:
 *  1. the challenge claimed (one attempt counted on it, before the code is checked: of thirty
 *     concurrent wrong codes exactly five are checked), the attempt counted on the account's login
 *     throttle too, and the user and factor read;
 *  2. after the code is checked: the code's compare-and-swap (the TOTP step moves past the last
 *     accepted one, or the recovery code is marked used, recording this request as the winner),
 *     the challenge spent only by that winner, and the session `open` builds only once it is spent
 *     — so a code replayed concurrently, or one challenge used twice, makes exactly one session —
 *     with its login record, last login and event, and the account's counter cleared.
 * Anything wrong is one `refused` (a challenge used at another door, or with another X-API-Key than
 * its password's, or without it, too); a wrong code is a `login.failed` event (`second_factor`).
 */
export async function secondFactorLogin<T>(
  deps: Deps,
  input: { mfaToken: string; factor: SecondFactor },
  doors: LoginDoor[],
  open: (door: LoginDoor) => Opener<T>,
): Promise<LoginResult<T>> {
  const { db } = deps;
  if (!TOKEN_SHAPE.test(input.mfaToken)) return { kind: 'refused' };
  const now = deps.now();
  const hash = await sha256Hex(input.mfaToken);
  const key = challengeThrottleKey(hash);
  const first = await runBatch(db, {
    claimed: claimChallenge(db, { hash, now, max: MFA_TOKEN_ATTEMPTS }),
    throttle: read(readThrottle(db, key as never)),
    counted: write(countAttempt(db, key as never, now, sql`${key} is not null`)),
    account: challengeAccount(db, { hash }),
  });
  const claimed = first.claimed[0];
  const user = first.account[0];
  // A challenge answers only at its own door and with the key its password came with (none: none).
  if (!claimed || !doors.includes(claimed.door) || claimed.clientId !== (deps.apiKey?.client?.id ?? null)) return { kind: 'refused' };
  const blockedMs = blockedFor(first.throttle, now);
  if (blockedMs > 0) {
    await recordFailure(deps, claimed.userUuid, 'throttled', now);
    return { kind: 'throttled', retryAfterMs: blockedMs };
  }
  if (!user || user.disabled || !user.mfaEnabled || user.securityStamp !== claimed.securityStamp || user.secret === null || user.lastStep === null) {
    await recordFailure(deps, claimed.userUuid, 'changed_meanwhile', now);
    return { kind: 'refused' };
  }

  // The code is checked before anything is built for the session; a recovery code can only be
  // checked by its single-use update in the next batch.
  let use: (winner: string) => Statement<unknown, 'write'>;
  if ('otp' in input.factor) {
    const seed = await openSealed(await mfaKeys(deps.config), user.secret, totpContext(user.uuid));
    const step = seed ? await matchingStep(seed, input.factor.otp, now) : null;
    // A code at or below the last accepted step was used already: refused like a wrong one.
    if (step === null || step <= user.lastStep) {
      await recordFailure(deps, user.uuid, 'second_factor', now);
      return { kind: 'refused' };
    }
    use = (winner) => useStep(db, user.uuid, step, winner);
  } else {
    const normalised = normaliseRecoveryCode(input.factor.recoveryCode);
    if (!normalised) {
      await recordFailure(deps, user.uuid, 'second_factor', now);
      return { kind: 'refused' };
    }
    const codeHash = await recoveryCodeHash(user.uuid, normalised);
    use = (winner) => useRecoveryCode(db, user.uuid, codeHash, now, winner);
  }

  // The session's id is the winner the code's compare-and-swap records.
  const opening = await open(claimed.door)(user, now, { amr: 'pwd otp', challenge: hash });
  const recoveryEvent: Record<string, Statement<unknown, 'write'>> = 'otp' in input.factor
    ? {}
    : {
        recoveryEvent: auditWrite(deps, now, {
          event: 'mfa.recovery_code_used',
          actor: user.uuid,
          subject: user.uuid,
          detail: { session: opening.id },
          when: ifSession(opening.id),
        }),
      };
  const written = await runBatch(db, {
    code: use(opening.id),
    spent: spendChallenge(db, { hash, now, sessionId: opening.id, userUuid: user.uuid }),
    ...sessionStartStatements(deps, user, opening, now),
    cleared: clearFailures(db, claimed.throttleKey),
    ...recoveryEvent,
  });
  if (written.session.length === 0) {
    await recordFailure(deps, user.uuid, 'second_factor', now);
    return { kind: 'refused' };
  }
  await afterSessionStart(deps, written, now);
  const used = (written as { recoveryEvent?: unknown }).recoveryEvent;
  if (used) {
    exportEvents(deps, used as never);
    sendLater(deps, 'mfa_recovery_code_used', secondFactorNotice(deps.config, user.email, 'recovery_code_used'));
  }
  return { kind: 'issued', userUuid: user.uuid, handOut: opening.handOut };
}
