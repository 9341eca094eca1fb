import { Hono } from 'hono';
import { limitBody } from '../../middleware/body-limit';
import { withDeps } from '../../middleware/context';
import { deleteAccount, logOut, revokeSession, saveProfile, savePassword, showPhoto, uploadPhoto } from './account.actions';
import { showAccount } from './account.page';
import { pageSession, presession, sameOrigin } from './guards';
import { pageHeaders } from './headers';
import { showLogin, submitLogin } from './login.page';
import { renderPageError } from './page-errors';
import type { PageEnv } from './page-env';
import { showSignUp, submitSignUp } from './signup.page';
import { STYLESHEET } from './styles';

/**
 * The pages for people, a front door of their own: HTML errors (page-errors.tsx), a CSP per
 * response (headers.ts), the cookie session and the CSRF defence (guards.ts), and the same
 * services as the JSON API behind every form. Each route names its middleware itself rather
 * than `use('*')`, which would run for every request of the app this router is mounted in.
 *
 * POST chains: same origin → body limit → the session (or pre-session) → the handler, whose
 * readPageForm checks the form's CSRF token before anything else.
 */
export function pagesRouter() {
  const pages = new Hono<PageEnv>();
  const page = [withDeps(), pageHeaders()] as const;
  const form = [withDeps(), pageHeaders(), sameOrigin(), limitBody()] as const;

  pages.get('/pages.css', (c) => {
    c.header('cache-control', 'public, max-age=31536000, immutable');
    return c.body(STYLESHEET, 200, { 'content-type': 'text/css; charset=utf-8' });
  });
  pages.get('/login', ...page, presession('issue'), showLogin);
  pages.post('/login', ...form, presession('require'), submitLogin);
  pages.get('/signup', ...page, presession('issue'), showSignUp);
  pages.post('/signup', ...form, presession('require'), submitSignUp);
  pages.get('/account', ...page, pageSession(), showAccount);
  pages.get('/account/photo', withDeps(), pageSession(), showPhoto);
  pages.post('/account/profile', ...form, pageSession(), saveProfile);
  pages.post('/account/password', ...form, pageSession(), savePassword);
  pages.post('/account/photo', ...form, pageSession(), uploadPhoto);
  pages.post('/account/sessions/:id/revoke', ...form, pageSession(), revokeSession);
  pages.post('/account/delete', ...form, pageSession(), deleteAccount);
  pages.post('/logout', ...form, pageSession(), logOut);
  pages.onError(renderPageError);
  return pages;
}
