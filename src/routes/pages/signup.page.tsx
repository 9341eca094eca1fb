import type { Context } from 'hono';
import { fieldErrors } from '../../http/router';
import { ApiError } from '../../lib/problem';
import { TURNSTILE_FIELD } from '../../lib/turnstile';
import { signUpInBrowser } from '../../services/auth/browser-login';
import { SignUpSchema } from '../users/users.schemas';
import { setSessionCookie } from './cookies';
import { type FormFields, readPageForm, text } from './guards';
import { turnstileWidget } from './login.page';
import type { PageEnv } from './page-env';
import { type Errors, errorsByField, Field, FormMessage, PostForm } from './ui/fields';
import { Layout } from './ui/layout';
import { PASSWORD_FIELD_MAX } from '../../lib/password-policy';

type Ctx = Context<PageEnv>;

const REQUIRED = ['username', 'email', 'password', 'confirm_password', 'name', 'surname'] as const;
const OPTIONAL = ['city', 'organization', 'designation', 'mobile'] as const;

interface SignUpView {
  values?: Record<string, string>;
  errors?: Errors;
  message?: string;
}

function SignUpPage(c: Ctx, view: SignUpView) {
  const { config } = c.var.deps;
  // Before the layout: the widget adds its script to the page's head and CSP.
  const widget = turnstileWidget(c);
  const v = view.values ?? {};
  const e = view.errors ?? {};
  const field = (name: string, label: string, extra: Partial<Parameters<typeof Field>[0]> = {}) => (
    <Field id={`signup-${name}`} name={name} label={label} value={v[name]} error={e[name]} {...extra} />
  );
  return (
    <Layout title="Sign up" serviceName={config.SERVICE_NAME} nonce={c.var.nonce} scripts={c.var.scripts} narrow>
      <h1>Create an account</h1>
      <FormMessage message={view.message ?? (Object.keys(e).length > 0 ? 'Some fields need another look; each says what is wrong.' : undefined)} />
      <section>
        <PostForm action="/signup" csrf={c.var.csrf} label="Sign up">
          {field('username', 'Username', { autocomplete: 'username', required: true, maxlength: 32, hint: '3 to 32 letters, digits, _ . or -' })}
          {field('email', 'Email', { type: 'email', autocomplete: 'email', required: true, maxlength: 254 })}
          {field('password', 'Password', {
            type: 'password',
            autocomplete: 'new-password',
            required: true,
            maxlength: PASSWORD_FIELD_MAX,
            hint: `At least ${config.PASSWORD_MIN_LENGTH} characters; a few unrelated words work well`,
          })}
          {field('confirm_password', 'Repeat the password', { type: 'password', autocomplete: 'new-password', required: true, maxlength: PASSWORD_FIELD_MAX })}
          {field('name', 'First name', { autocomplete: 'given-name', required: true, maxlength: 64 })}
          {field('surname', 'Surname', { autocomplete: 'family-name', required: true, maxlength: 64 })}
          {field('city', 'City', { autocomplete: 'address-level2', maxlength: 100 })}
          {field('organization', 'Organization', { autocomplete: 'organization', maxlength: 100 })}
          {field('designation', 'Job title', { autocomplete: 'organization-title', maxlength: 100 })}
          {field('mobile', 'Mobile', { type: 'tel', autocomplete: 'tel', maxlength: 32 })}
          {e[TURNSTILE_FIELD] ? <p class="error">The captcha {e[TURNSTILE_FIELD]}.</p> : null}
          {widget}
          <button type="submit">Create account</button>
        </PostForm>
      </section>
      <p>
        Already have an account? <a href="/login">Log in</a>.
      </p>
    </Layout>
  );
}

/** GET /signup */
export const showSignUp = (c: Ctx) => c.html(SignUpPage(c, {}));

/** The form's values as `POST /user` takes them: blank optional fields are left out. */
function signUpBody(form: FormFields) {
  const body: Record<string, string> = {};
  for (const name of REQUIRED) body[name] = text(form, name);
  for (const name of OPTIONAL) if (text(form, name).trim() !== '') body[name] = text(form, name);
  return body;
}

/**
 * POST /signup: the fields of `POST /user`, validated by the same schema and signed up by the
 * same service (policy, captcha, limits, conflicts), then signed in: `303` to /account. Every
 * refusal re-renders the form with its status and each error next to its field.
 */
export async function submitSignUp(c: Ctx) {
  const form = await readPageForm(c);
  const values = signUpBody(form);
  const { password: _p, confirm_password: _c, ...shown } = values;
  const parsed = SignUpSchema.safeParse(values);
  if (!parsed.success) return c.html(SignUpPage(c, { values: shown, errors: errorsByField(fieldErrors(parsed.error.issues)) }), 422);
  const { confirm_password: _confirm, [TURNSTILE_FIELD]: _t, ...input } = parsed.data;
  try {
    const { cookie } = await signUpInBrowser(c.var.deps, input, text(form, TURNSTILE_FIELD) || undefined);
    setSessionCookie(c, cookie);
    return c.redirect('/account?notice=welcome', 303);
  } catch (err) {
    if (!(err instanceof ApiError) || err.status >= 500) throw err;
    for (const [name, value] of Object.entries(err.options.headers ?? {})) c.header(name, value);
    const errors = errorsByField(err.options.errors);
    return c.html(SignUpPage(c, { values: shown, errors, message: Object.keys(errors).length > 0 ? undefined : err.detail }), err.status as 422);
  }
}
