import type { Context } from 'hono';
import { raw } from 'hono/html';
import { renderSVG } from 'uqr';
import { ApiError } from '../../lib/problem';
import { safeReturnTo } from '../../lib/return-to';
import { base32Decode, isTotpCode, otpauthUri } from '../../lib/totp';
import { browserOpener } from '../../services/auth/browser-login';
import { type SecondFactor, secondFactorLogin } from '../../services/auth/second-factor';
import { activateTotp, disableTotp, regenerateRecoveryCodes, startEnrolment } from '../../services/mfa/totp';
import { accountWithProblem } from './account.page';
import { setSessionCookie } from './cookies';
import { readPageForm, text } from './guards';
import type { PageEnv } from './page-env';
import { CurrentPasswordField, errorsByField, Field, FormMessage, PostForm } from './ui/fields';
import { tooManyAttempts } from './ui/format';
import { Layout } from './ui/layout';

type Ctx = Context<PageEnv>;

const CODE_REFUSED = 'That code did not work. Check your authenticator app, or use a recovery code.';
const SECRET_SHAPE = /^[A-Z2-7]{16,64}$/;

/** Six digits are a code of the app; anything else is tried as a recovery code. */
export const factorOf = (code: string): SecondFactor => (isTotpCode(code) ? { otp: code.trim() } : { recoveryCode: code });

/** The code field of every second-factor form: `one-time-code`, so phones offer the code they received. */
const CodeField = (p: { id: string; error?: string; hint?: string }) => (
  <Field
    id={p.id}
    name="code"
    label="Code from your authenticator app, or a recovery code"
    autocomplete="one-time-code"
    required
    maxlength={64}
    error={p.error}
    hint={p.hint}
  />
);

/** The login's second step: its own page, after a right password, before any session exists. */
export function CodePage(c: Ctx, view: { mfaToken: string; returnTo?: string; message?: string }) {
  return (
    <Layout title="Two-step verification" serviceName={c.var.deps.config.SERVICE_NAME} narrow>
      <h1>Two-step verification</h1>
      <p>Enter the 6-digit code your authenticator app shows for this account.</p>
      <FormMessage message={view.message} />
      <section>
        <PostForm action="/login/code" csrf={c.var.csrf} label="Two-step verification">
          <input type="hidden" name="mfa_token" value={view.mfaToken} />
          {view.returnTo ? <input type="hidden" name="return_to" value={view.returnTo} /> : null}
          <CodeField id="login-code" hint="Lost your phone? A recovery code works once instead." />
          <button type="submit">Verify</button>
        </PostForm>
      </section>
      <p>
        <a href="/login">Start again</a>
      </p>
    </Layout>
  );
}

/**
 * POST /login/code: the second factor's login service (the token endpoint's mfa-otp and
 * mfa-recovery-code grants), opening a browser session with the "remember me" of the first step.
 * A wrong code shows the form again while the challenge lives; a dead one sends back to /login.
 */
export async function submitLoginCode(c: Ctx) {
  const form = await readPageForm(c);
  const mfaToken = text(form, 'mfa_token');
  const returnTo = safeReturnTo(text(form, 'return_to'));
  const deps = c.var.deps;
  const result = await secondFactorLogin(deps, { mfaToken, factor: factorOf(text(form, 'code')) }, ['page', 'page_remember'], (door) =>
    browserOpener(deps, door === 'page_remember'),
  );
  if (result.kind === 'issued') {
    setSessionCookie(c, result.handOut);
    return c.redirect(returnTo ?? '/account', 303);
  }
  if (result.kind === 'throttled') {
    const { retryAfter, message } = tooManyAttempts(result.retryAfterMs);
    c.header('retry-after', retryAfter);
    return c.html(CodePage(c, { mfaToken, returnTo, message }), 429);
  }
  return c.html(CodePage(c, { mfaToken, returnTo, message: CODE_REFUSED }), 400);
}

/** The account page's section: on or off, and the forms for each. */
export function SecondFactorSection({
  c,
  enabled,
  problem,
}: {
  c: Ctx;
  enabled: boolean;
  problem?: { form: string; message: string; errors?: { path: string; message: string }[] };
}) {
  const mine = problem?.form === 'mfa' ? problem : undefined;
  const e = errorsByField(mine?.errors);
  return (
    <section aria-labelledby="mfa-h">
      <h2 id="mfa-h">Two-step verification</h2>
      <FormMessage message={mine?.message} />
      {enabled ? (
        <>
          <p>
            On <span class="badge">authenticator app</span>. Logging in asks for a code after your password.
          </p>
          <details open={mine ? true : undefined}>
            <summary>New recovery codes</summary>
            <PostForm action="/account/mfa/recovery-codes" csrf={c.var.csrf} label="New recovery codes">
              <Field id="regen-code" name="code" label="A current code from your app" autocomplete="one-time-code" required maxlength={6} error={e.code} />
              <button type="submit" class="secondary">
                Make ten new codes
              </button>
            </PostForm>
          </details>
          <details open={mine ? true : undefined}>
            <summary>Turn off</summary>
            <PostForm action="/account/mfa/disable" csrf={c.var.csrf} label="Turn off two-step verification">
              <CurrentPasswordField id="mfa-off-password" error={e.current_password} />
              <CodeField id="mfa-off-code" error={mine ? e.code : undefined} />
              <button type="submit" class="danger">
                Turn off
              </button>
            </PostForm>
          </details>
        </>
      ) : (
        <>
          <p>Off. With it on, a stolen password alone does not get into your account.</p>
          <PostForm action="/account/mfa/setup" csrf={c.var.csrf} label="Set up two-step verification">
            <CurrentPasswordField id="mfa-setup-password" label="Your password, to begin" error={e.current_password} />
            <button type="submit">Set up with an authenticator app</button>
          </PostForm>
        </>
      )}
    </section>
  );
}

/** The enrolment: the QR code (SVG rendered here, no script), the secret as text, and the code that turns it on. */
function EnrolPage(c: Ctx, view: { secret: string; username: string; message?: string }) {
  const uri = otpauthUri(c.var.deps.config.SERVICE_NAME, view.username, base32Decode(view.secret) ?? new Uint8Array());
  const grouped = view.secret.match(/.{1,4}/g)?.join(' ') ?? view.secret;
  return (
    <Layout title="Set up two-step verification" serviceName={c.var.deps.config.SERVICE_NAME} signedIn csrf={c.var.csrf}>
      <h1>Set up two-step verification</h1>
      <FormMessage message={view.message} />
      <section aria-labelledby="scan-h">
        <h2 id="scan-h">1. Add this account to your authenticator app</h2>
        <p>Scan the QR code, or type the key by hand.</p>
        <figure class="qr" role="img" aria-label="QR code of the key below">
          {raw(renderSVG(uri, { border: 2 }))}
        </figure>
        <p>
          Key: <code class="secret">{grouped}</code>
        </p>
      </section>
      <section aria-labelledby="confirm-h">
        <h2 id="confirm-h">2. Enter the code it shows</h2>
        <PostForm action="/account/mfa/activate" csrf={c.var.csrf} label="Turn on two-step verification">
          <input type="hidden" name="secret" value={view.secret} />
          <input type="hidden" name="username" value={view.username} />
          <Field id="activate-code" name="code" label="6-digit code" autocomplete="one-time-code" required maxlength={6} />
          <button type="submit">Turn on</button>
        </PostForm>
      </section>
      <p>
        <a href="/account">Cancel</a>
      </p>
    </Layout>
  );
}

function CodesPage(c: Ctx, codes: string[], heading: string) {
  return (
    <Layout title={heading} serviceName={c.var.deps.config.SERVICE_NAME} signedIn csrf={c.var.csrf}>
      <h1>{heading}</h1>
      <section aria-labelledby="codes-h">
        <h2 id="codes-h">Your recovery codes</h2>
        <p>Each works once, instead of a code from your app. Keep them somewhere safe: they are shown only now.</p>
        <ul class="codes">
          {codes.map((code) => (
            <li>
              <code>{code}</code>
            </li>
          ))}
        </ul>
        <p>
          <a href="/account">Back to your account</a>
        </p>
      </section>
    </Layout>
  );
}

/** A refusal the person can fix, shown on the account page's two-step section. */
async function onAccount(c: Ctx, err: unknown) {
  if (!(err instanceof ApiError) || err.status === 401 || err.status >= 500) throw err;
  return accountWithProblem(c, err.status, { form: 'mfa', message: err.detail, errors: err.options.errors }, err.options.headers);
}

/** POST /account/mfa/setup: `POST /user/me/mfa/totp`'s service; the page then shows the seed. */
export async function setUpMfa(c: Ctx) {
  const form = await readPageForm(c);
  try {
    const enrolment = await startEnrolment(c.var.deps, c.var.access, { currentPassword: text(form, 'current_password') });
    return c.html(EnrolPage(c, { secret: enrolment.secret, username: enrolment.account }));
  } catch (err) {
    return onAccount(c, err);
  }
}

/** POST /account/mfa/activate: `POST /user/me/mfa/totp/activate`'s service; the codes are shown once. */
export async function activateMfa(c: Ctx) {
  const form = await readPageForm(c);
  try {
    const codes = await activateTotp(c.var.deps, c.var.access, { code: text(form, 'code') });
    return c.html(CodesPage(c, codes, 'Two-step verification is on'));
  } catch (err) {
    const secret = text(form, 'secret');
    // A wrong code: the same enrolment again (its seed is the person's own, carried by the form).
    if (err instanceof ApiError && err.code === 'wrong_code' && SECRET_SHAPE.test(secret)) {
      return c.html(
        EnrolPage(c, { secret, username: text(form, 'username').slice(0, 64), message: 'That code did not work; enter the one your app shows now.' }),
        422,
      );
    }
    return onAccount(c, err);
  }
}

/** POST /account/mfa/disable: `DELETE /user/me/mfa/totp`'s service. */
export async function disableMfa(c: Ctx) {
  const form = await readPageForm(c);
  try {
    await disableTotp(c.var.deps, c.var.access, { currentPassword: text(form, 'current_password'), code: text(form, 'code') });
    return c.redirect('/account?notice=mfa_off', 303);
  } catch (err) {
    return onAccount(c, err);
  }
}

/** POST /account/mfa/recovery-codes: `POST /user/me/mfa/recovery-codes`' service. */
export async function newRecoveryCodes(c: Ctx) {
  const form = await readPageForm(c);
  try {
    return c.html(CodesPage(c, await regenerateRecoveryCodes(c.var.deps, c.var.access, { code: text(form, 'code') }), 'New recovery codes'));
  } catch (err) {
    return onAccount(c, err);
  }
}
