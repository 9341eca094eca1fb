import type { Db } from '../../db/client';
import type { Deps } from '../../deps';
import { ApiError, tooMany } from '../../lib/problem';
import type { Guard } from '../../policy/guard';
import { blockedFor, countGuarded, passwordChangeKey, throttleState } from '../throttle';
import { passwordHashOf } from './statements';

/**
 * Re-checking the caller's current password (a password change, erasing the account from the
 * pages): the hash and the account's attempt counter, read in the caller batch, and this attempt
 * counted under the caller's guard, so a stolen session cannot become a way to guess the
 * password and a revoked one counts nothing.
 */
export const currentPasswordReads = (db: Db, userUuid: string) => ({
  stored: passwordHashOf(db, userUuid),
  throttle: throttleState(db, passwordChangeKey(userUuid)),
});

/** This attempt, counted against the account under the caller's guard (cleared by a success). */
export const countPasswordAttempt = (db: Db, userUuid: string, now: number, guard: Guard) => countGuarded(db, passwordChangeKey(userUuid), now, guard);

/** The check after that batch: 429 while throttled, 422 on `current_password` when it is wrong. */
export async function assertCurrentPassword(
  deps: Deps,
  rows: { stored: { passwordHash: string }[]; throttle: { blockedUntil: number }[] },
  password: string,
  now: number,
): Promise<void> {
  const blockedMs = blockedFor(rows.throttle, now);
  if (blockedMs > 0) throw tooMany('throttled', 'Too many wrong passwords; try again later', blockedMs);
  const verdict = await deps.passwords.verify(password, rows.stored[0]!.passwordHash);
  if (!verdict.ok) {
    throw new ApiError('wrong_password', 'The current password is incorrect', { errors: [{ path: 'current_password', message: 'is incorrect' }] });
  }
}
