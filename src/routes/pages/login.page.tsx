import type { Context } from 'hono';
import { ApiError } from '../../lib/problem';
import { safeReturnTo } from '../../lib/return-to';
import { TURNSTILE_FIELD, TURNSTILE_SCRIPT } from '../../lib/turnstile';
import { browserLogin } from '../../services/auth/browser-login';
import { EMAIL_UNVERIFIED } from '../token/token.errors';
import { setSessionCookie } from './cookies';
import { CodePage } from './mfa.page';
import { readPageForm, text } from './guards';
import type { PageEnv } from './page-env';
import { Field, FormMessage, PostForm } from './ui/fields';
import { tooManyAttempts } from './ui/format';
import { Layout } from './ui/layout';
import { PASSWORD_FIELD_MAX } from '../../lib/password-policy';

type Ctx = Context<PageEnv>;

/** One message for an unknown user, a wrong password and a disabled account: nothing tells them apart. */
export const LOGIN_REFUSED = 'The username, email or password is not right.';
const MAX_LOGIN = 320;

/** The Turnstile widget when it is configured: the page loads its script (and the CSP names its origin). */
export function turnstileWidget(c: Ctx) {
  const siteKey = c.var.deps.config.TURNSTILE_SITE_KEY;
  if (!siteKey) return null;
  c.set('scripts', [TURNSTILE_SCRIPT]);
  return <div class="cf-turnstile field" data-sitekey={siteKey} data-response-field-name={TURNSTILE_FIELD} />;
}

interface LoginView {
  login?: string;
  returnTo?: string;
  message?: string;
  notice?: string;
}

function LoginPage(c: Ctx, view: LoginView) {
  const { config } = c.var.deps;
  // Before the layout: the widget adds its script to the page's head and CSP.
  const widget = turnstileWidget(c);
  return (
    <Layout title="Log in" serviceName={config.SERVICE_NAME} nonce={c.var.nonce} scripts={c.var.scripts} narrow>
      <h1>Log in</h1>
      <FormMessage message={view.notice} kind="notice" />
      <FormMessage message={view.message} />
      <section>
        <PostForm action="/login" csrf={c.var.csrf} label="Log in">
          {view.returnTo ? <input type="hidden" name="return_to" value={view.returnTo} /> : null}
          <Field id="login" name="username" label="Username or email" autocomplete="username" value={view.login} required maxlength={MAX_LOGIN} />
          <Field id="password" name="password" type="password" label="Password" autocomplete="current-password" required maxlength={PASSWORD_FIELD_MAX} />
          <label class="check" for="remember">
            <input id="remember" type="checkbox" name="remember" value="1" />
            Remember me on this device
          </label>
          {widget}
          <button type="submit">Log in</button>
        </PostForm>
      </section>
      <p>
        <a href="/forgot-password">Forgot your password?</a>
      </p>
      <p>
        New here? <a href="/signup">Create an account</a>.
      </p>
    </Layout>
  );
}

/** What a `?notice=` may say on the login page; anything else shows nothing. */
const NOTICES: Record<string, string> = {
  logged_out: 'You are logged out.',
  deleted: 'Your account and everything about it were deleted.',
  password_reset: 'Your password is changed, and every session was logged out. Log in with the new one.',
};

/** GET /login: the form, bound to this browser's pre-session cookie. */
export function showLogin(c: Ctx) {
  const notice = NOTICES[c.req.query('notice') ?? ''];
  return c.html(LoginPage(c, { returnTo: safeReturnTo(c.req.query('return_to')), notice }));
}

/**
 * POST /login: the same login as the token endpoint's password grant (browserLogin), then a
 * new session cookie and `303` to `return_to` (a local path) or /account. A refusal re-renders
 * the form with one message; a throttled login is the same form with `429` and Retry-After.
 */
export async function submitLogin(c: Ctx) {
  const form = await readPageForm(c);
  const login = text(form, 'username').slice(0, MAX_LOGIN);
  const password = text(form, 'password');
  const returnTo = safeReturnTo(text(form, 'return_to'));
  if (login.trim() === '' || password === '' || password.length > PASSWORD_FIELD_MAX) {
    return c.html(LoginPage(c, { login, returnTo, message: 'Enter your username (or email) and your password.' }), 400);
  }
  const input = { login, password, remember: text(form, 'remember') === '1', captcha: text(form, TURNSTILE_FIELD) || undefined };
  const result = await browserLogin(c.var.deps, input).catch((err: unknown) => {
    if (err instanceof ApiError && err.code.startsWith('captcha')) return err;
    throw err;
  });
  if (result instanceof ApiError) return c.html(LoginPage(c, { login, returnTo, message: result.detail }), result.status as 403);
  if (result.kind === 'issued') {
    setSessionCookie(c, result.handOut);
    return c.redirect(returnTo ?? '/account', 303);
  }
  if (result.kind === 'mfa_required') return c.html(CodePage(c, { mfaToken: result.mfaToken, returnTo }));
  if (result.kind === 'unverified') return c.html(LoginPage(c, { returnTo, message: EMAIL_UNVERIFIED }), 403);
  if (result.kind === 'throttled') {
    const { retryAfter, message } = tooManyAttempts(result.retryAfterMs);
    c.header('retry-after', retryAfter);
    return c.html(LoginPage(c, { returnTo, message }), 429);
  }
  // The name typed is not shown again: the page is then the same, byte for byte, whoever it named.
  return c.html(LoginPage(c, { returnTo, message: LOGIN_REFUSED }), 400);
}
