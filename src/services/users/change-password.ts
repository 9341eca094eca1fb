import { and, eq } from 'drizzle-orm';
import { users } from '../../db/schema';
import { runBatch } from '../../db/statement';
import { type Access, withCaller } from '../../policy/caller';
import { guarded } from '../../policy/guard';
import type { Deps } from '../../deps';
import { recordRevocations } from '../revocation';
import { auditGuarded } from '../audit/events';
import { exportEvents } from '../audit/export';
import { revokedCount, revokeSessions } from '../sessions/statements';
import { clearFailures, clearFailuresGuarded, passwordChangeKey } from '../throttle';
import { assertCurrentPassword, countPasswordAttempt, currentPasswordReads } from './current-password';
import { assertPasswordAllowed } from './password-rules';
import { bumpStamp } from './statements';

/**
 * PUT /user/me/password, in two round trips around PBKDF2, like the password grant:
 *  1. the caller, their hash and this attempt counted against the account (guarded, so a
 *     revoked or disabled token counts nothing; a stolen access token must not become a way to
 *     guess the current password, so attempts are throttled per account);
 *  2. with the caller checked again: the new hash and a new security stamp (a grant in flight
 *     with the old password creates no session), every other session revoked, the count cleared.
 * The current password is checked before the new one: a policy refusal is not a wrong
 * password, so it clears the count instead of adding to it (one extra round trip, on that
 * failure only).
 */
export async function changePassword(deps: Deps, access: Access, input: { currentPassword: string; newPassword: string }): Promise<void> {
  const { db, config } = deps;
  const me = access.claims.sub;
  const key = passwordChangeKey(me);
  const now = deps.now();
  const first = await withCaller(deps, access, {
    reads: currentPasswordReads(db, me),
    writes: (may) => ({ counted: countPasswordAttempt(db, me, now, may.route) }),
  });
  const { caller, sessionId } = first;
  await assertCurrentPassword(deps, first.rows, input.currentPassword, now);
  try {
    await assertPasswordAllowed(deps, input.newPassword, caller, 'new_password');
  } catch (err) {
    await runBatch(db, { cleared: clearFailures(db, key) });
    throw err;
  }
  const passwordHash = await deps.passwords.hash(input.newPassword);
  const { rows } = await withCaller(deps, access, {
    writes: (may) => ({
      changed: guarded(may.route, (g) =>
        db
          .update(users)
          .set({ passwordHash, securityStamp: bumpStamp, updatedAt: now })
          .where(and(eq(users.uuid, caller.uuid), g)),
      ),
      revoked: revokeSessions(db, { userUuid: caller.uuid, exceptSessionId: sessionId }, may.route, now),
      cleared: clearFailuresGuarded(db, key, may.route),
      event: auditGuarded(deps, now, may.route, {
        event: 'password.changed',
        actor: caller.uuid,
        subject: caller.uuid,
        detail: { sessions_revoked: revokedCount(caller.uuid, now) },
      }),
    }),
  });
  await recordRevocations(deps.kv, rows.revoked, 'password_changed', config.ACCESS_TOKEN_TTL_SECONDS, now);
  exportEvents(deps, rows.event);
}
