import type { Context } from 'hono';
import type { Child } from 'hono/jsx';
import { ApiError } from '../../lib/problem';
import { confirmEmail } from '../../services/email/confirm-email';
import { forgotPassword } from '../../services/email/forgot-password';
import { requestEmailChange } from '../../services/email/request-email-change';
import { resendVerification } from '../../services/email/resend-verification';
import { resetPassword } from '../../services/email/reset-password';
import { accountWithProblem } from './account.page';
import { readPageForm, text } from './guards';
import type { PageEnv } from './page-env';
import { errorsByField, Field, FormMessage, NewPasswordField, PostForm } from './ui/fields';
import { Layout } from './ui/layout';

type Ctx = Context<PageEnv>;

/** The one thing /forgot-password says after a request, whoever the address belongs to. */
export const FORGOT_SENT = 'If an account uses that address, a link to choose a new password is on its way. It works for 30 minutes.';
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{16,128}$/;

const page = (c: Ctx, title: string, body: Child, signedIn = false) => (
  <Layout title={title} serviceName={c.var.deps.config.SERVICE_NAME} narrow signedIn={signedIn} csrf={c.var.csrf}>
    <h1>{title}</h1>
    {body}
  </Layout>
);

function ForgotPage(c: Ctx, view: { notice?: string; message?: string }) {
  return page(
    c,
    'Forgot your password?',
    <>
      <FormMessage message={view.notice} kind="notice" />
      <FormMessage message={view.message} />
      <section>
        <p>Enter the address of your account; we send a link to choose a new password.</p>
        <PostForm action="/forgot-password" csrf={c.var.csrf} label="Forgot your password">
          <Field id="forgot-email" name="email" type="email" label="Email" autocomplete="email" required maxlength={254} />
          <button type="submit">Send the link</button>
        </PostForm>
      </section>
      <p>
        <a href="/login">Back to log in</a>
      </p>
    </>,
  );
}

/** GET /forgot-password */
export const showForgot = (c: Ctx) => c.html(ForgotPage(c, {}));

/**
 * POST /forgot-password: `POST /password/forgot`'s service; the same page whatever the address
 * (the service does the same work for both and mails after the answer). A 429 says when to retry.
 */
export async function submitForgot(c: Ctx) {
  const form = await readPageForm(c);
  try {
    await forgotPassword(c.var.deps, { email: text(form, 'email').slice(0, 254) });
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 429) throw err;
    for (const [name, value] of Object.entries(err.options.headers ?? {})) c.header(name, value);
    return c.html(ForgotPage(c, { message: 'Too many requests for that address or from here; try again later.' }), 429);
  }
  return c.html(ForgotPage(c, { notice: FORGOT_SENT }), 200);
}

function ResetPage(c: Ctx, view: { token: string; message?: string; error?: string }) {
  return page(
    c,
    'Choose a new password',
    <>
      <FormMessage message={view.message} />
      <section>
        <PostForm action="/reset-password" csrf={c.var.csrf} label="Choose a new password">
          <input type="hidden" name="token" value={view.token} />
          <NewPasswordField
            id="reset-password"
            error={view.error}
            hint={`At least ${c.var.deps.config.PASSWORD_MIN_LENGTH} characters. Every session of the account is logged out.`}
          />
          <button type="submit">Set the new password</button>
        </PostForm>
      </section>
    </>,
  );
}

/** The link's page: a form only, so a mail scanner that fetches the link consumes nothing. */
export function showReset(c: Ctx) {
  const token = c.req.query('token') ?? '';
  if (!TOKEN_SHAPE.test(token)) throw new ApiError('email_token_invalid', 'This link is not valid or has expired; ask for a new one');
  return c.html(ResetPage(c, { token }));
}

/** POST /reset-password: `POST /password/reset`'s service, on the button press; then to the login. */
export async function submitReset(c: Ctx) {
  const form = await readPageForm(c);
  const token = text(form, 'token');
  try {
    await resetPassword(c.var.deps, { token, newPassword: text(form, 'new_password') });
  } catch (err) {
    if (err instanceof ApiError && err.code === 'password_rejected') {
      return c.html(ResetPage(c, { token, message: 'Choose another password.', error: errorsByField(err.options.errors).new_password }), 422);
    }
    throw err;
  }
  return c.redirect('/login?notice=password_reset', 303);
}

function VerifyPage(c: Ctx, token: string) {
  return page(
    c,
    'Confirm your email address',
    <section>
      <p>Press the button to confirm the address this link was sent to.</p>
      <PostForm action="/verify-email" csrf={c.var.csrf} label="Confirm your email address">
        <input type="hidden" name="token" value={token} />
        <button type="submit">Confirm</button>
      </PostForm>
    </section>,
  );
}

/** GET /verify-email?token=…: the button only (a GET changes nothing). */
export function showVerify(c: Ctx) {
  const token = c.req.query('token') ?? '';
  if (!TOKEN_SHAPE.test(token)) throw new ApiError('email_token_invalid', 'This link is not valid or has expired; ask for a new one');
  return c.html(VerifyPage(c, token));
}

/** POST /verify-email: `POST /email/verify`'s service: a verification or an email change confirmed. */
export async function submitVerify(c: Ctx) {
  const form = await readPageForm(c);
  const done = await confirmEmail(c.var.deps, { token: text(form, 'token') });
  const message = done.kind === 'changed' ? 'Your email address is changed.' : 'Your email address is confirmed.';
  return c.html(
    page(
      c,
      'Done',
      <>
        <FormMessage message={message} kind="notice" />
        <p>
          <a href="/account">Go to your account</a>
        </p>
      </>,
    ),
  );
}

/** POST /account/email: `POST /user/me/email`'s service; the confirmation goes to the new address. */
export async function changeEmail(c: Ctx) {
  const form = await readPageForm(c);
  const values = { email: text(form, 'email') };
  try {
    await requestEmailChange(c.var.deps, c.var.access, { email: values.email, currentPassword: text(form, 'current_password') });
  } catch (err) {
    if (!(err instanceof ApiError) || err.status === 401 || err.status >= 500) throw err;
    return accountWithProblem(c, err.status, { form: 'email', message: err.detail, errors: err.options.errors, values }, err.options.headers);
  }
  return c.redirect('/account?notice=email_change_sent', 303);
}

/** POST /account/email/verification: `POST /user/me/email/verification`'s service. */
export async function sendVerification(c: Ctx) {
  await readPageForm(c);
  try {
    await resendVerification(c.var.deps, c.var.access);
  } catch (err) {
    if (!(err instanceof ApiError) || err.status === 401 || err.status >= 500) throw err;
    return accountWithProblem(c, err.status, { form: 'email', message: err.detail }, err.options.headers);
  }
  return c.redirect('/account?notice=verification_sent', 303);
}
