import { and, eq, sql } from 'drizzle-orm';
import { users } from '../../db/schema';
import { read } from '../../db/statement';
import type { Deps } from '../../deps';
import { ApiError } from '../../lib/problem';
import { emailKey } from '../../lib/text';
import { type Access, withCaller } from '../../policy/caller';
import { guarded } from '../../policy/guard';
import { clearFailuresGuarded, passwordChangeKey } from '../throttle';
import { assertCurrentPassword, countPasswordAttempt, currentPasswordReads } from '../users/current-password';
import { assertAddressMayEmail, assertIpMayEmail } from './limits';
import { changeConfirmation } from './messages';
import { sendLater } from './send';
import { countMessageGuarded, insertTokenQuery, newEmailToken, throttleKeyFor, voidTokensQuery, withinLimit } from './statements';

const emailTaken = () => new ApiError('email_taken', 'That email is already registered', { errors: [{ path: 'email', message: 'is already registered' }] });

/**
 * POST /user/me/email: a confirmation link to the new address; only its confirmation
 * (POST /email/verify) changes the email, and the old address is told then. Two round trips
 * around PBKDF2, like a password change:
 *  1. the caller, their hash, whether the new address is taken, and this attempt counted against
 *     the account (the current-password throttle, so a stolen token is no password oracle);
 *  2. with the caller checked again: the count cleared, the new address's message count, older
 *     change tokens voided and the new token inserted within the limit, each under the guard.
 */
export async function requestEmailChange(deps: Deps, access: Access, input: { email: string; currentPassword: string }): Promise<void> {
  const { db } = deps;
  await assertIpMayEmail(deps);
  const me = access.claims.sub;
  const key = emailKey(input.email);
  const now = deps.now();
  const first = await withCaller(deps, access, {
    reads: { ...currentPasswordReads(db, me), taken: read(db.select({ uuid: users.uuid }).from(users).where(eq(users.emailKey, key)).limit(1)) },
    writes: (may) => ({ counted: countPasswordAttempt(db, me, now, may.route) }),
  });
  await assertCurrentPassword(deps, first.rows, input.currentPassword, now);
  const taken = first.rows.taken[0];
  if (taken?.uuid === me)
    throw new ApiError('validation_failed', 'That is your address already', { errors: [{ path: 'email', message: 'is your address already' }] });
  if (taken) throw emailTaken();
  const throttle = throttleKeyFor('change', key);
  const { token, hash } = await newEmailToken();
  const { rows } = await withCaller(deps, access, {
    writes: (may) => ({
      cleared: clearFailuresGuarded(db, passwordChangeKey(me), may.route),
      counted: countMessageGuarded(db, throttle, now, may.route),
      voided: guarded(may.route, (g) => voidTokensQuery(db, me, ['change'], now, and(g, withinLimit(throttle))!)),
      token: guarded(may.route, (g) =>
        insertTokenQuery(db, { hash, purpose: 'change', now, email: { email: input.email, key } }, sql`${users.uuid} = ${me}`, and(g, withinLimit(throttle))!),
      ),
    }),
  });
  assertAddressMayEmail(rows.counted, now);
  if (rows.token[0]) sendLater(deps, 'email_change', changeConfirmation(deps.config, input.email, token));
}
