import { BREACHED_REASON, checkBreached } from '../../lib/breach-check';
import { ApiError } from '../../lib/problem';
import type { Deps } from '../../deps';

/** Whose password it is: the policy refuses one built from their own details. */
export interface PasswordOwner {
  username?: string;
  email?: string;
  name?: string;
  surname?: string;
}

const refuse = (field: string, reason: string) =>
  new ApiError('password_rejected', `The ${field.replace('_', ' ')} ${reason}`, { errors: [{ path: field, message: reason }] });

/**
 * Refuses a password that breaks the policy (src/lib/password-policy.ts: NIST SP 800-63B-4
 * blocklist, zxcvbn-style estimate) with a 422 naming the field and the reason, then, when
 * PASSWORD_BREACH_CHECK=hibp, one that Have I Been Pwned knows. The policy module is loaded on
 * first use (its dictionaries cost ~80 ms of CPU to build), so Worker startup stays cheap. An
 * unreachable HIBP accepts the password and logs a warning: its outage must not stop sign-ups
 * (src/lib/breach-check.ts says why).
 */
export async function assertPasswordAllowed(deps: Deps, password: string, owner: PasswordOwner, field = 'password'): Promise<void> {
  const { passwordProblem } = await import('../../lib/password-policy');
  const reason = passwordProblem(password, { minLength: deps.config.PASSWORD_MIN_LENGTH, ...owner });
  if (reason) throw refuse(field, reason);
  if (deps.config.PASSWORD_BREACH_CHECK !== 'hibp') return;
  const verdict = await checkBreached(password, { timeoutMs: deps.config.PASSWORD_BREACH_TIMEOUT_MS });
  if (verdict === 'breached') throw refuse(field, BREACHED_REASON);
  if (verdict === 'unavailable') console.warn(JSON.stringify({ level: 'warn', requestId: deps.requestId, error: 'breach_check_unavailable' }));
}
