import type { Config } from '../../config';
import { passwordProblem } from '../../lib/password-policy';
import { ApiError } from '../../lib/problem';

/** Whose password it is: the policy refuses one built from their own details. */
export interface PasswordOwner {
  username?: string;
  email?: string;
  name?: string;
  surname?: string;
}

/**
 * Refuses a password that breaks the policy (src/lib/password-policy.ts) with a 422 naming the
 * field and the reason. Sign-up, the password change and (next) the reset all call this.
 */
export function assertPasswordAllowed(password: string, config: Config, owner: PasswordOwner, field = 'password') {
  const reason = passwordProblem(password, { minLength: config.PASSWORD_MIN_LENGTH, ...owner });
  if (reason) throw new ApiError('password_rejected', `The ${field.replace('_', ' ')} ${reason}`, { errors: [{ path: field, message: reason }] });
}
