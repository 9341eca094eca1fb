import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { base64url, randomToken, utf8 } from '../../lib/encoding';
import type { BrowserCookie } from '../../services/auth/browser-login';

/**
 * `__Host-`: the browser accepts it only with Secure, Path=/ and no Domain, so no subdomain or
 * plain-http page can set or overwrite it. Chromium treats http://127.0.0.1 and localhost as
 * secure, so this works under `wrangler dev` as well.
 */
export const SESSION_COOKIE = '__Host-session';
/** The login and sign-up forms' CSRF token is bound to this cookie (login CSRF: SPEC "Browser pages"). */
export const PRESESSION_COOKIE = '__Host-presession';

const PRESESSION_SHAPE = /^[A-Za-z0-9_-]{43}$/;
const BASE = { path: '/', secure: true, httpOnly: true, sameSite: 'Lax' } as const;

/**
 * The CSRF token of a cookie's secret: its SHA-256, so a page can show it without showing the
 * HttpOnly cookie, and a site that cannot read the cookie cannot compute it.
 */
export async function csrfFor(secret: string): Promise<string> {
  return base64url(await crypto.subtle.digest('SHA-256', utf8(`csrf:${secret}`)));
}

/** Compares two tokens in time independent of where they differ. */
export function sameToken(a: string, b: string): boolean {
  const x = utf8(a);
  const y = utf8(b);
  return x.length === y.length && crypto.subtle.timingSafeEqual(x, y);
}

export const sessionCookieOf = (c: Context) => getCookie(c, SESSION_COOKIE);

/** A new session cookie (a new value at every login: no session fixation); the pre-session one goes. */
export function setSessionCookie(c: Context, cookie: BrowserCookie) {
  setCookie(c, SESSION_COOKIE, cookie.value, { ...BASE, maxAge: cookie.maxAgeSeconds });
  deleteCookie(c, PRESESSION_COOKIE, { path: '/', secure: true });
}

export const clearSessionCookie = (c: Context) => deleteCookie(c, SESSION_COOKIE, { path: '/', secure: true });

/** This browser's pre-session secret, made (and set, ending with the browser) when it has none. */
export function presessionSecret(c: Context): string {
  const existing = getCookie(c, PRESESSION_COOKIE);
  if (existing && PRESESSION_SHAPE.test(existing)) return existing;
  const secret = randomToken(32);
  setCookie(c, PRESESSION_COOKIE, secret, BASE);
  return secret;
}

/** The pre-session secret a form POST must be bound to; never made here (a POST without one is refused). */
export const presentedPresession = (c: Context) => {
  const value = getCookie(c, PRESESSION_COOKIE);
  return value && PRESESSION_SHAPE.test(value) ? value : undefined;
};
