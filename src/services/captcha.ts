import type { Deps } from '../deps';
import { ApiError } from '../lib/problem';
import { siteverify, TURNSTILE_FIELD } from '../lib/turnstile';

/**
 * When Turnstile is configured (TURNSTILE_SECRET_KEY with its site key), a sign-up or a page
 * login must carry a solved challenge, checked with siteverify before any other work: no
 * throttle row, hash or insert is spent on a bot. Unconfigured, it asks nobody.
 */
export async function assertHuman(deps: Deps, token: string | undefined): Promise<void> {
  const secret = deps.config.TURNSTILE_SECRET_KEY;
  if (!secret) return;
  const verdict = await siteverify(secret, token, deps.client.ip);
  if (verdict === 'failed') {
    throw new ApiError('captcha_failed', 'Complete the captcha and send the form again', { errors: [{ path: TURNSTILE_FIELD, message: 'was not solved' }] });
  }
  if (verdict === 'unavailable') throw new ApiError('captcha_unavailable', 'The captcha could not be checked; try again in a moment');
}
