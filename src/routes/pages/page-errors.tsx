import type { Context } from 'hono';
import { toWireError } from '../../http/errors';
import { clearSessionCookie } from './cookies';
import { loginRedirect } from './guards';
import { pageCsp } from './headers';
import { Layout } from './ui/layout';

const HEADINGS: Record<number, string> = {
  400: 'That request could not be read',
  403: 'That is not allowed',
  404: 'Page not found',
  405: 'That method is not allowed here',
  413: 'That is too large',
  415: 'That form could not be read',
  422: 'That did not work',
  429: 'Too many attempts',
  500: 'Something went wrong',
  502: 'A service we depend on failed',
  503: 'The service is unavailable',
  504: 'A service we depend on timed out',
};

/** The paths the pages own: their errors (a 404 under /account/, a GET /logout) are pages too. */
const PAGE_PATHS = new Set(['/login', '/signup', '/account', '/logout', '/pages.css', '/forgot-password', '/reset-password', '/verify-email']);
export const isPagePath = (path: string) => PAGE_PATHS.has(path) || path.startsWith('/account/') || path.startsWith('/login/');

/**
 * Whether an unmatched request gets an HTML page rather than problem+json: only on the pages' own
 * paths. Elsewhere the API's answer stands whatever `Accept` says, so a program never gets HTML.
 */
export const wantsPage = (c: Context) => isPagePath(c.req.path);

/** The name to show even when the configuration itself is what failed. */
const serviceNameOf = (c: Context) => (c.get('deps') as { config?: { SERVICE_NAME: string } } | undefined)?.config?.SERVICE_NAME ?? 'UserAuth';

export const ErrorPage = (p: { serviceName: string; status: number; detail: string }) => (
  <Layout title={HEADINGS[p.status] ?? 'Error'} serviceName={p.serviceName}>
    <h1>{HEADINGS[p.status] ?? 'Error'}</h1>
    <p>{p.detail}</p>
    <p>
      <a href="/account">Go to your account</a> or <a href="/login">log in</a>.
    </p>
  </Layout>
);

/** An HTML error page with the status the API would answer (never problem+json, never internals). */
export function errorPage(c: Context, status: number, detail: string, headers: Record<string, string> = {}) {
  const html = (<ErrorPage serviceName={serviceNameOf(c)} status={status} detail={detail} />).toString();
  return new Response(html, {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': pageCsp('', []), ...headers },
  });
}

/**
 * The pages' onError: an ended or unknown session (`401` from the caller batch) clears the cookie
 * and goes to the login; everything else is an error page with its status and headers
 * (Retry-After on 429), the detail an ApiError carries, or a generic sentence for anything else.
 */
export function renderPageError(err: Error, c: Context) {
  const wire = toWireError(err, (c.get('requestId') as string | undefined) ?? 'none');
  if (wire.status === 401) {
    clearSessionCookie(c);
    return loginRedirect(c);
  }
  const { 'www-authenticate': _challenge, ...headers } = wire.headers ?? {};
  return errorPage(c, wire.status, wire.detail, headers);
}
