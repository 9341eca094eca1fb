/** Cloudflare Turnstile's server-side check (https://developers.cloudflare.com/turnstile/get-started/server-side-validation/). */
export const SITEVERIFY_URL = 'https://challenges.cloudflare.com/turnstile/v0/siteverify';
/** The origin the widget's script and frame come from: the pages' CSP names it only while Turnstile is on. */
export const TURNSTILE_ORIGIN = 'https://challenges.cloudflare.com';
export const TURNSTILE_SCRIPT = `${TURNSTILE_ORIGIN}/turnstile/v0/api.js`;
/** The form field the widget fills (and `POST /user` accepts). */
export const TURNSTILE_FIELD = 'cf-turnstile-response';
/** Turnstile tokens are at most 2048 characters. */
const MAX_TOKEN_LENGTH = 2048;

export type TurnstileVerdict = 'passed' | 'failed' | 'unavailable';

/**
 * Asks siteverify whether `token` is a solved challenge for our secret, sending the secret, the
 * token, the client's IP and an idempotency key, and nothing else. Fails closed: a missing or
 * oversized token is `failed` without a call; an error, a non-200 or a timeout is `unavailable`.
 */
export async function siteverify(secret: string, token: string | undefined, ip: string | null, timeoutMs = 5000): Promise<TurnstileVerdict> {
  if (!token || token.length > MAX_TOKEN_LENGTH) return 'failed';
  const body = new URLSearchParams({ secret, response: token, idempotency_key: crypto.randomUUID() });
  if (ip) body.set('remoteip', ip);
  try {
    const res = await fetch(SITEVERIFY_URL, { method: 'POST', body, signal: AbortSignal.timeout(timeoutMs) });
    if (!res.ok) return 'unavailable';
    const outcome = (await res.json()) as { success?: unknown };
    return outcome.success === true ? 'passed' : 'failed';
  } catch {
    return 'unavailable';
  }
}
