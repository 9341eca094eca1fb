import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { BodyError, mediaType, readObjectBody } from '../../lib/body';
import { ApiError } from '../../lib/problem';
import { safeReturnTo } from '../../lib/return-to';
import { anyone } from '../../policy/rules';
import { claimsFromCookie } from '../../services/auth/browser-login';
import { csrfFor, presentedPresession, presessionSecret, sameToken, sessionCookieOf } from './cookies';
import type { PageEnv } from './page-env';

const refused = () => new ApiError('csrf_failed', 'This form did not come from this site, or it is stale: reload the page and send it again');

/**
 * The first half of the CSRF defence, before any body is read: a form POST must come from this
 * origin. `Sec-Fetch-Site` decides when the browser sends it (only `same-origin` passes);
 * otherwise `Origin` must be this origin; a POST with neither is refused.
 */
export const sameOrigin = () =>
  createMiddleware<PageEnv>(async (c, next) => {
    const site = c.req.header('sec-fetch-site');
    const origin = c.req.header('origin');
    const ok = site !== undefined ? site === 'same-origin' : origin !== undefined && origin === new URL(c.req.url).origin;
    if (!ok) throw refused();
    await next();
  });

/** The log-in and sign-up forms: their token is bound to this browser's pre-session cookie. */
export const presession = (mode: 'issue' | 'require') =>
  createMiddleware<PageEnv>(async (c, next) => {
    const secret = mode === 'issue' ? presessionSecret(c) : presentedPresession(c);
    if (!secret) throw refused();
    c.set('csrf', await csrfFor(secret));
    await next();
  });

/** Where a page that needs a signed-in user sends a browser without a session. */
export function loginRedirect(c: Context) {
  const here = new URL(c.req.url);
  const back = (c.req.method === 'GET' ? safeReturnTo(here.pathname + here.search) : undefined) ?? '/account';
  return c.redirect(`/login?return_to=${encodeURIComponent(back).replace(/%2F/g, '/')}`, 303);
}

/**
 * A page for a signed-in user: the session cookie becomes the request's access (its claims and
 * the rule `anyone`), which the service's caller batch then checks against D1 like a bearer
 * token's, the cookie's secret included. No cookie (or one that cannot be ours): `303` to the
 * login, nothing loaded.
 */
export const pageSession = () =>
  createMiddleware<PageEnv>(async (c, next) => {
    const claims = await claimsFromCookie(sessionCookieOf(c));
    if (!claims) return loginRedirect(c);
    const { secret, ...rest } = claims;
    c.set('access', { claims: rest, rule: anyone, checked: false });
    c.set('csrf', await csrfFor(secret));
    await next();
  });

export type FormFields = Record<string, string | File>;

/**
 * A page form's fields, after the second half of the CSRF defence: the `csrf` field must be the
 * token of this browser's session or pre-session cookie (`403` otherwise, before anything else
 * runs). Urlencoded or multipart; a repeated field is a `400`, never "the first" or "the last".
 */
export async function readPageForm(c: Context<PageEnv>): Promise<FormFields> {
  const type = mediaType(c.req.raw);
  const fields: FormFields = Object.create(null);
  if (type === 'application/x-www-form-urlencoded') {
    try {
      Object.assign(fields, await readObjectBody(c.req.raw, 'form'));
    } catch (err) {
      if (err instanceof BodyError) throw new ApiError('malformed_body', 'The form could not be read');
      throw err;
    }
  } else if (type === 'multipart/form-data') {
    let form: FormData;
    try {
      form = await c.req.raw.formData();
    } catch {
      throw new ApiError('malformed_body', 'The form could not be read');
    }
    for (const [key, value] of form) {
      if (key in fields) throw new ApiError('malformed_body', `The field ${key} is repeated`);
      fields[key] = value;
    }
  } else {
    throw new ApiError('unsupported_media_type', 'Send the form as a browser does');
  }
  const token = fields.csrf;
  if (typeof token !== 'string' || !sameToken(token, c.var.csrf)) throw refused();
  delete fields.csrf;
  return fields;
}

/** A text field of a form ('' when absent or a file). */
export const text = (fields: FormFields, name: string) => {
  const v = fields[name];
  return typeof v === 'string' ? v : '';
};
