import { isCommonPassword } from './common-passwords';

export const MAX_PASSWORD_LENGTH = 128;
export const SERVICE_NAME = 'userauth';

export interface PolicyContext {
  minLength: number;
  username?: string;
  email?: string;
}

/**
 * NIST SP 800-63B-4 §3.1.1.2: a length floor and ceiling in code points, no composition
 * rules, and a blocklist (common passwords, the service's name, the user's own identifiers).
 * Returns the reason a password is refused, or null when it is acceptable.
 */
export function passwordProblem(password: string, ctx: PolicyContext): string | null {
  const normalised = password.normalize('NFC');
  const length = [...normalised].length;
  if (length < ctx.minLength) return `must be at least ${ctx.minLength} characters`;
  if (length > MAX_PASSWORD_LENGTH) return `must be at most ${MAX_PASSWORD_LENGTH} characters`;
  const folded = normalised.toLowerCase();
  if (folded.includes(SERVICE_NAME)) return 'must not contain the name of this service';
  if (ctx.username && folded.includes(ctx.username.toLowerCase())) return 'must not contain your username';
  if (ctx.email) {
    const email = ctx.email.normalize('NFC').toLowerCase();
    const local = email.split('@')[0] ?? '';
    if (folded.includes(email) || (local.length >= 3 && folded.includes(local))) return 'must not contain your email address';
  }
  if (isCommonPassword(normalised)) return 'is a commonly used password; choose another';
  return null;
}
