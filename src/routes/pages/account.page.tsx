import type { Context } from 'hono';
import type { FieldError } from '../../lib/problem';
import { type AccountOverview, accountOverview } from '../../services/users/account-overview';
import type { PageEnv } from './page-env';
import { CurrentPasswordField, type Errors, errorsByField, Field, FormMessage, NewPasswordField, PostForm } from './ui/fields';
import { agent, describeEvent, isoOf, place, when } from './ui/format';
import { Layout } from './ui/layout';
import { SecondFactorSection } from './mfa.page';

type Ctx = Context<PageEnv>;

/** Which form on the account page an error belongs to, so it is shown there and nowhere else. */
export type AccountForm = 'profile' | 'photo' | 'password' | 'delete' | 'mfa' | 'email';

export interface AccountProblem {
  form: AccountForm;
  message: string;
  errors?: FieldError[];
  /** What the person typed (never a password), to show again. */
  values?: Record<string, string>;
}

/** What a `?notice=` may say after an action; anything else shows nothing. */
const NOTICES: Record<string, string> = {
  welcome: 'Welcome! Your account is ready.',
  profile_saved: 'Your profile was saved.',
  password_changed: 'Your password was changed, and every other session was logged out.',
  session_revoked: 'That session was logged out.',
  photo_accepted: 'Your photo was recognised: you are now a celebrity.',
  photo_pending: 'Your photo is waiting for review.',
  mfa_off: 'Two-step verification is off.',
  email_change_sent: 'We sent a link to the new address; the change happens when you open it. Your current address was told.',
  verification_sent: 'We sent a new confirmation link to your address.',
};

const Time = (p: { ms: number | null }) => (p.ms ? <time datetime={isoOf(p.ms)}>{when(p.ms)}</time> : <>never</>);

function Profile({ c, o, problem }: { c: Ctx; o: AccountOverview; problem?: AccountProblem }) {
  const u = o.user;
  const mine = problem?.form === 'profile' ? problem : undefined;
  const e: Errors = errorsByField(mine?.errors);
  const v = mine?.values ?? {};
  const value = (name: 'username' | 'city' | 'organization' | 'designation' | 'mobile') => (name in v ? v[name] : (u[name] ?? ''));
  return (
    <section aria-labelledby="profile-h">
      <h2 id="profile-h">Profile</h2>
      <dl>
        <dt>Username</dt>
        <dd>{u.username}</dd>
        <dt>Name</dt>
        <dd>
          {u.name} {u.surname}
        </dd>
        <dt>Email</dt>
        <dd>
          {u.email}
          {u.emailVerified ? <span class="badge">verified</span> : <span class="badge warn">not verified</span>}
        </dd>
        <dt>Role</dt>
        <dd>{u.role}</dd>
        <dt>Member since</dt>
        <dd>
          <Time ms={u.createdAt} />
        </dd>
        <dt>Last login</dt>
        <dd>
          <Time ms={u.lastLoginAt} />
        </dd>
      </dl>
      <details open={mine ? true : undefined}>
        <summary>Edit profile</summary>
        <FormMessage message={mine?.message} />
        <PostForm action="/account/profile" csrf={c.var.csrf} label="Edit profile">
          <Field
            id="profile-username"
            name="username"
            label="Username"
            autocomplete="username"
            value={value('username')}
            error={e.username}
            required
            maxlength={32}
          />
          <Field id="profile-city" name="city" label="City" autocomplete="address-level2" value={value('city')} error={e.city} maxlength={100} />
          <Field
            id="profile-organization"
            name="organization"
            label="Organization"
            autocomplete="organization"
            value={value('organization')}
            error={e.organization}
            maxlength={100}
          />
          <Field
            id="profile-designation"
            name="designation"
            label="Job title"
            autocomplete="organization-title"
            value={value('designation')}
            error={e.designation}
            maxlength={100}
          />
          <Field id="profile-mobile" name="mobile" label="Mobile" type="tel" autocomplete="tel" value={value('mobile')} error={e.mobile} maxlength={32} />
          <p class="hint">Your email, name and surname cannot be changed here.</p>
          <button type="submit">Save profile</button>
        </PostForm>
      </details>
    </section>
  );
}

function Photo({ c, o, problem }: { c: Ctx; o: AccountOverview; problem?: AccountProblem }) {
  const mine = problem?.form === 'photo' ? problem : undefined;
  const status = o.photo ? (o.photo.status === 'accepted' ? 'recognised' : 'waiting for review') : 'none yet';
  return (
    <section aria-labelledby="photo-h">
      <h2 id="photo-h">Photo</h2>
      {o.photo ? <img class="photo" src={`/account/photo?v=${o.photo.id}`} alt="You, as you uploaded yourself" width={256} height={256} /> : null}
      <dl>
        <dt>Photo</dt>
        <dd>{status}</dd>
        <dt>Celebrity</dt>
        <dd>{o.user.role === 'celebrity' ? 'yes' : 'no'}</dd>
      </dl>
      <FormMessage message={mine?.message} />
      <PostForm action="/account/photo" csrf={c.var.csrf} multipart label="Upload a photo">
        <Field
          id="photo-file"
          name="file"
          type="file"
          label="A photo of you"
          accept="image/jpeg,image/png,image/webp"
          hint={`JPEG, PNG or WebP, at most ${Math.floor(c.var.deps.config.PHOTO_MAX_BYTES / 1024 / 1024)} MiB. If it shows your name's celebrity, you become a celebrity.`}
          error={errorsByField(mine?.errors).file}
          required
        />
        <button type="submit">Upload</button>
      </PostForm>
    </section>
  );
}

function Password({ c, problem }: { c: Ctx; problem?: AccountProblem }) {
  const mine = problem?.form === 'password' ? problem : undefined;
  const e = errorsByField(mine?.errors);
  return (
    <section aria-labelledby="password-h">
      <h2 id="password-h">Password</h2>
      <FormMessage message={mine?.message} />
      <PostForm action="/account/password" csrf={c.var.csrf} label="Change password">
        <CurrentPasswordField id="current-password" label="Current password" error={e.current_password} />
        <NewPasswordField
          id="new-password"
          error={e.new_password}
          hint={`At least ${c.var.deps.config.PASSWORD_MIN_LENGTH} characters. Every other session is logged out.`}
        />
        <button type="submit">Change password</button>
      </PostForm>
    </section>
  );
}

function Sessions({ c, o }: { c: Ctx; o: AccountOverview }) {
  return (
    <section aria-labelledby="sessions-h">
      <h2 id="sessions-h">Where you are logged in</h2>
      <ul class="rows">
        {o.sessions.map((s) => (
          <li>
            <strong>{agent(s.userAgent)}</strong>
            {s.id === o.currentSessionId ? <span class="badge">this device</span> : null}
            {s.cookieHash === null ? <span class="badge">API</span> : null}
            <div class="meta">
              {place(s.ip, s.country)} · since <Time ms={s.createdAt} /> · last used <Time ms={s.lastUsedAt} />
            </div>
            {s.id === o.currentSessionId ? null : (
              <PostForm action={`/account/sessions/${s.id}/revoke`} csrf={c.var.csrf} label={`Log out session ${s.id}`}>
                <button type="submit" class="secondary">
                  Log out this session
                </button>
              </PostForm>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}

function Logins({ o }: { o: AccountOverview }) {
  return (
    <section aria-labelledby="logins-h">
      <h2 id="logins-h">Recent logins</h2>
      {o.logins.length === 0 ? <p>No logins yet.</p> : null}
      <ul class="rows">
        {o.logins.map((l) => (
          <li>
            <Time ms={l.loginTime} />
            <div class="meta">
              {place(l.ip, l.country)} · {agent(l.userAgent)}
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Activity({ o }: { o: AccountOverview }) {
  return (
    <section aria-labelledby="activity-h">
      <h2 id="activity-h">Recent security activity</h2>
      <p class="hint">If something here was not you, change your password and log out the sessions you do not recognise.</p>
      <ul class="rows">
        {o.events.map((e) => (
          <li>
            {describeEvent(e)}
            <div class="meta">
              <Time ms={e.at} /> · {place(e.ip, e.country)}
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Email({ c, o, problem }: { c: Ctx; o: AccountOverview; problem?: AccountProblem }) {
  const mine = problem?.form === 'email' ? problem : undefined;
  const e = errorsByField(mine?.errors);
  return (
    <section aria-labelledby="email-h">
      <h2 id="email-h">Email address</h2>
      <FormMessage message={mine?.message} />
      <p>
        {o.user.email} {o.user.emailVerified ? '(confirmed)' : '(not confirmed yet)'}
      </p>
      {o.user.emailVerified ? null : (
        <PostForm action="/account/email/verification" csrf={c.var.csrf} label="Send the confirmation link again">
          <button type="submit" class="secondary">
            Send the confirmation link again
          </button>
        </PostForm>
      )}
      <details open={mine?.errors ? true : undefined}>
        <summary>Change the address</summary>
        <PostForm action="/account/email" csrf={c.var.csrf} label="Change the email address">
          <Field
            id="email-new"
            name="email"
            type="email"
            label="New address"
            autocomplete="email"
            required
            maxlength={254}
            value={mine?.values?.email}
            error={e.email}
          />
          <CurrentPasswordField id="email-password" error={e.current_password} />
          <button type="submit">Send a confirmation to the new address</button>
        </PostForm>
      </details>
    </section>
  );
}

function DeleteAccount({ c, problem }: { c: Ctx; problem?: AccountProblem }) {
  const mine = problem?.form === 'delete' ? problem : undefined;
  return (
    <section aria-labelledby="delete-h">
      <h2 id="delete-h">Delete account</h2>
      <p>This erases your account, login records, sessions and photos. It cannot be undone.</p>
      <FormMessage message={mine?.message} />
      <PostForm action="/account/delete" csrf={c.var.csrf} label="Delete account">
        <CurrentPasswordField id="delete-password" label="Your password, to confirm" error={errorsByField(mine?.errors).current_password} />
        <button type="submit" class="danger">
          Delete my account
        </button>
      </PostForm>
    </section>
  );
}

export function AccountPage(c: Ctx, o: AccountOverview, extra: { notice?: string; problem?: AccountProblem } = {}) {
  return (
    <Layout title="Your account" serviceName={c.var.deps.config.SERVICE_NAME} signedIn csrf={c.var.csrf}>
      <h1>Your account</h1>
      <FormMessage message={extra.notice} kind="notice" />
      {extra.problem ? <FormMessage message="That did not work; the form below says why." /> : null}
      <Profile c={c} o={o} problem={extra.problem} />
      <Photo c={c} o={o} problem={extra.problem} />
      <Email c={c} o={o} problem={extra.problem} />
      <Password c={c} problem={extra.problem} />
      <SecondFactorSection c={c} enabled={o.user.mfaEnabled} problem={extra.problem} />
      <Sessions c={c} o={o} />
      <Logins o={o} />
      <Activity o={o} />
      <DeleteAccount c={c} problem={extra.problem} />
    </Layout>
  );
}

/** GET /account: the caller and everything shown, in one D1 round trip. */
export async function showAccount(c: Ctx) {
  const overview = await accountOverview(c.var.deps, c.var.access);
  return c.html(AccountPage(c, overview, { notice: NOTICES[c.req.query('notice') ?? ''] }));
}

/** The account page again, with a form's error in place and the error's status (a 422, a 429 with Retry-After …). */
export async function accountWithProblem(c: Ctx, status: number, problem: AccountProblem, headers: Record<string, string> = {}) {
  const overview = await accountOverview(c.var.deps, c.var.access);
  for (const [name, value] of Object.entries(headers)) c.header(name, value);
  return c.html(AccountPage(c, overview, { problem }), status as 422);
}
