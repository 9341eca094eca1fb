import { sql } from 'drizzle-orm';
import { users } from '../../db/schema';
import type { Deps } from '../../deps';
import { uuidv7 } from '../../lib/ids';
import { ApiError } from '../../lib/problem';
import { normaliseRecoveryCode, recoveryCodeHash, recoveryCodes } from '../../lib/recovery-codes';
import { open, seal } from '../../lib/secret-box';
import { base32Encode, isTotpCode, matchingStep, otpauthUri, TOTP_SECRET_BYTES } from '../../lib/totp';
import { type Access, withCaller } from '../../policy/caller';
import type { Guard } from '../../policy/guard';
import { admin } from '../../policy/rules';
import { auditGuarded } from '../audit/events';
import { exportEvents } from '../audit/export';
import { secondFactorNotice } from '../email/messages';
import { sendLater } from '../email/send';
import { recordRevocations } from '../revocation';
import { endGrantsInFlight, revokedCount, revokeSessions } from '../sessions/statements';
import { clearFailuresGuarded, passwordChangeKey } from '../throttle';
import { assertCurrentPassword, countPasswordAttempt, currentPasswordReads } from '../users/current-password';
import { findUser } from '../users/statements';
import { visibleUser } from '../users/read-users';
import { mfaKeys, totpContext } from './keys';
import { codeWonBy, dropFactor, factorOf, replaceRecoveryCodes, savePending, setMfaEnabled, useRecoveryCodeGuarded, useStepGuarded } from './statements';

const wrongCode = () =>
  new ApiError('wrong_code', 'The code is incorrect or was used already', { errors: [{ path: 'code', message: 'is incorrect or was used already' }] });

/** The caller's factor seed, opened, with the step a code names; a wrong or replayed code is a 422. */
async function checkTotp(deps: Deps, userUuid: string, factor: { secret: string; lastStep: number }, code: string, now: number): Promise<number> {
  const seed = await open(await mfaKeys(deps.config), factor.secret, totpContext(userUuid));
  const step = seed ? await matchingStep(seed, code, now) : null;
  if (step === null || step <= factor.lastStep) throw wrongCode();
  return step;
}

/** Ten new recovery codes and their stored hashes. */
async function newCodes(userUuid: string) {
  const codes = recoveryCodes();
  return { codes, hashes: await Promise.all(codes.map((c) => recoveryCodeHash(userUuid, normaliseRecoveryCode(c)!))) };
}

/**
 * The first batch of a change that needs the current password: the caller, their hash, the
 * password throttle (this attempt counted under their guard) and the factor; then the password
 * checked (429 while throttled, 422 when wrong).
 */
async function withPasswordChecked(deps: Deps, access: Access, currentPassword: string, now: number) {
  const { db } = deps;
  const me = access.claims.sub;
  const first = await withCaller(deps, access, {
    reads: { ...currentPasswordReads(db, me), factor: factorOf(db, me) },
    writes: (may) => ({ counted: countPasswordAttempt(db, me, now, may.route) }),
  });
  await assertCurrentPassword(deps, first.rows, currentPassword, now);
  return first;
}

/**
 * POST /user/me/mfa/totp: a pending enrolment after the current password (throttled like a
 * password change). Two round trips around PBKDF2; a new call replaces a pending one, never an
 * active factor (409). The seed is sealed before it is stored and returned only this once.
 */
export async function startEnrolment(deps: Deps, access: Access, input: { currentPassword: string }) {
  const { db, config } = deps;
  const keys = await mfaKeys(config);
  const me = access.claims.sub;
  const now = deps.now();
  const first = await withPasswordChecked(deps, access, input.currentPassword, now);
  if (first.rows.factor[0]?.activatedAt) throw new ApiError('mfa_enabled', 'A second factor is already on; turn it off first');
  const seed = crypto.getRandomValues(new Uint8Array(TOTP_SECRET_BYTES));
  const sealed = await seal(keys, seed, totpContext(me));
  const { rows } = await withCaller(deps, access, {
    writes: (may) => ({ saved: savePending(db, me, sealed, now, may.route), cleared: clearFailuresGuarded(db, passwordChangeKey(me), may.route) }),
  });
  if (rows.saved.length === 0) throw new ApiError('mfa_enabled', 'A second factor is already on; turn it off first');
  const account = first.caller.username;
  return { secret: base32Encode(seed), otpauthUri: otpauthUri(config.SERVICE_NAME, account, seed), account };
}

/**
 * POST /user/me/mfa/totp/activate: a current code of the pending seed turns it on, with ten
 * recovery codes (shown this once) and `mfa_enabled`, in one guarded batch whose every change
 * holds only if this request's code won the step's compare-and-swap.
 */
export async function activateTotp(deps: Deps, access: Access, input: { code: string }): Promise<string[]> {
  const { db } = deps;
  const me = access.claims.sub;
  const now = deps.now();
  const { caller, rows } = await withCaller(deps, access, { reads: { factor: factorOf(db, me) } });
  const factor = rows.factor[0];
  if (!factor) throw new ApiError('mfa_not_enrolled', 'Start an enrolment first (POST /user/me/mfa/totp)');
  if (factor.activatedAt) throw new ApiError('mfa_enabled', 'The second factor is already on');
  const step = await checkTotp(deps, me, factor, input.code, now);
  const { codes, hashes } = await newCodes(me);
  const change = uuidv7(now);
  const written = await withCaller(deps, access, {
    writes: (may) => {
      const won = codeWonBy(me, change);
      return {
        activated: useStepGuarded(db, me, step, change, may.route, now),
        ...replaceRecoveryCodes(db, me, hashes, now, may.route, won),
        enabled: setMfaEnabled(db, me, true, may.route, won),
        event: auditGuarded(deps, now, may.route, { event: 'mfa.enabled', actor: me, subject: me, when: won }),
      };
    },
  });
  if (written.rows.activated.length === 0) throw wrongCode();
  exportEvents(deps, written.rows.event);
  sendLater(deps, 'mfa_enabled', secondFactorNotice(deps.config, caller.email, 'enabled'));
  return codes;
}

/** The code of a signed-in change: TOTP (six digits) or, where allowed, a recovery code; its compare-and-swap for the batch. */
async function codeChange(deps: Deps, me: string, factor: { secret: string; lastStep: number }, code: string, now: number, allowRecovery: boolean) {
  const change = uuidv7(now);
  if (isTotpCode(code)) {
    const step = await checkTotp(deps, me, factor, code.trim(), now);
    return { change, use: (guard: Guard) => useStepGuarded(deps.db, me, step, change, guard) };
  }
  const normalised = allowRecovery ? normaliseRecoveryCode(code) : null;
  if (!normalised) throw wrongCode();
  const hash = await recoveryCodeHash(me, normalised);
  return { change, use: (guard: Guard) => useRecoveryCodeGuarded(deps.db, me, hash, now, change, guard) };
}

/** After `mfa_enabled` went to false in this batch: the factor's rows may go. */
const flagCleared = (me: string) => sql`not exists (select 1 from ${users} where ${users.uuid} = ${me} and ${users.mfaEnabled} = 1)`;

/**
 * DELETE /user/me/mfa/totp: the current password and a code (TOTP or recovery) turn the second
 * factor off. Two round trips around PBKDF2; the second batch's changes hold only if this
 * request's code won. The flag and the event go first, while the code's row still proves the win.
 */
export async function disableTotp(deps: Deps, access: Access, input: { currentPassword: string; code: string }): Promise<void> {
  const { db } = deps;
  const me = access.claims.sub;
  const now = deps.now();
  const first = await withPasswordChecked(deps, access, input.currentPassword, now);
  const factor = first.rows.factor[0];
  if (!factor?.activatedAt) throw new ApiError('mfa_not_enrolled', 'No second factor is on');
  const { change, use } = await codeChange(deps, me, factor, input.code, now, true);
  const written = await withCaller(deps, access, {
    writes: (may) => {
      const won = codeWonBy(me, change);
      const gone = dropFactor(db, me, may.route, flagCleared(me));
      return {
        used: use(may.route),
        disabled: setMfaEnabled(db, me, false, may.route, won),
        event: auditGuarded(deps, now, may.route, { event: 'mfa.disabled', actor: me, subject: me, when: won }),
        codes: gone.codes,
        factor: gone.factor,
        cleared: clearFailuresGuarded(db, passwordChangeKey(me), may.route),
      };
    },
  });
  if (written.rows.used.length === 0) throw wrongCode();
  exportEvents(deps, written.rows.event);
  sendLater(deps, 'mfa_disabled', secondFactorNotice(deps.config, first.caller.email, 'disabled'));
}

/** POST /user/me/mfa/recovery-codes: a current TOTP code replaces every recovery code with ten new ones. */
export async function regenerateRecoveryCodes(deps: Deps, access: Access, input: { code: string }): Promise<string[]> {
  const { db } = deps;
  const me = access.claims.sub;
  const now = deps.now();
  const { rows } = await withCaller(deps, access, { reads: { factor: factorOf(db, me) } });
  const factor = rows.factor[0];
  if (!factor?.activatedAt) throw new ApiError('mfa_not_enrolled', 'No second factor is on');
  const { change, use } = await codeChange(deps, me, factor, input.code, now, false);
  const { codes, hashes } = await newCodes(me);
  const written = await withCaller(deps, access, {
    writes: (may) => {
      const won = codeWonBy(me, change);
      return {
        used: use(may.route),
        ...replaceRecoveryCodes(db, me, hashes, now, may.route, won),
        event: auditGuarded(deps, now, may.route, { event: 'mfa.recovery_codes_regenerated', actor: me, subject: me, when: won }),
      };
    },
  });
  if (written.rows.used.length === 0) throw wrongCode();
  exportEvents(deps, written.rows.event);
  return codes;
}

/**
 * DELETE /user/{uuid}/mfa (admin): the user's second factor removed and their sessions revoked
 * (the security stamp moves on, so no login in flight survives it), in one batch. Another user's
 * call is a 403 for the route; a user without a factor is a 404.
 */
export async function resetMfa(deps: Deps, access: Access, uuid: string): Promise<void> {
  const { db, config } = deps;
  const now = deps.now();
  const { caller, rows } = await withCaller(deps, access, {
    reads: { found: findUser(db, uuid) },
    writes: (may) => {
      const had = sql`exists (select 1 from ${users} where ${users.uuid} = ${uuid} and ${users.mfaEnabled} = 1)`;
      const after = may.to(admin, { revokedInBatchAt: now });
      const gone = dropFactor(db, uuid, after, sql`1`);
      // Sessions first (the event counts them), then the event and the flag while `had` still reads the old flag.
      return {
        revoked: revokeSessions(db, { userUuid: uuid }, may.to(admin), now),
        event: auditGuarded(deps, now, after, {
          event: 'mfa.reset',
          actor: access.claims.sub,
          subject: uuid,
          detail: { sessions_revoked: revokedCount(uuid, now) },
          when: had,
        }),
        disabled: setMfaEnabled(db, uuid, false, after, had),
        ended: endGrantsInFlight(db, uuid, after),
        codes: gone.codes,
        factor: gone.factor,
      };
    },
  });
  const target = visibleUser(caller, uuid, rows.found);
  await recordRevocations(deps.kv, rows.revoked, 'mfa_reset', config.ACCESS_TOKEN_TTL_SECONDS, now);
  exportEvents(deps, rows.event);
  // Only when there was a factor to remove (the event's condition).
  if (rows.event.length > 0) sendLater(deps, 'mfa_reset', secondFactorNotice(config, target.email, 'reset'));
}
