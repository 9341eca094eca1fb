import { Hono } from 'hono';
import { limitBody } from '../../middleware/body-limit';
import { withDeps } from '../../middleware/context';
import { deleteAccount, logOut, revokeSession, saveProfile, savePassword, showPhoto, uploadPhoto } from './account.actions';
import { showAccount } from './account.page';
import { pageSession, presession, sameOrigin } from './guards';
import { pageHeaders } from './headers';
import { changeEmail, sendVerification, showForgot, showReset, showVerify, submitForgot, submitReset, submitVerify } from './email.page';
import { showLogin, submitLogin } from './login.page';
import { activateMfa, disableMfa, newRecoveryCodes, setUpMfa, submitLoginCode } from './mfa.page';
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
  pages.post('/login/code', ...form, presession('require'), submitLoginCode);
  pages.post('/account/mfa/setup', ...form, pageSession(), setUpMfa);
  pages.post('/account/mfa/activate', ...form, pageSession(), activateMfa);
  pages.post('/account/mfa/disable', ...form, pageSession(), disableMfa);
  pages.post('/account/mfa/recovery-codes', ...form, pageSession(), newRecoveryCodes);
  pages.post('/account/email', ...form, pageSession(), changeEmail);
  pages.post('/account/email/verification', ...form, pageSession(), sendVerification);
  pages.get('/forgot-password', ...page, presession('issue'), showForgot);
  pages.post('/forgot-password', ...form, presession('require'), submitForgot);
  pages.get('/reset-password', ...page, presession('issue'), showReset);
  pages.post('/reset-password', ...form, presession('require'), submitReset);
  pages.get('/verify-email', ...page, presession('issue'), showVerify);
  pages.post('/verify-email', ...form, presession('require'), submitVerify);
  pages.onError(renderPageError);
  return pages;
}
