import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { body, post } from '../helpers/api';
import { createUser, PASSWORD } from '../helpers/factories';
import { PageClient } from '../helpers/pages';
import { remoteStandIn } from '../helpers/photos';

afterEach(() => vi.restoreAllMocks());

const fresh = () => {
  const username = `pg${crypto.randomUUID().slice(0, 8)}`;
  return { username, email: `${username}@example.com`, password: PASSWORD, confirm_password: PASSWORD, name: 'Page', surname: 'Person' };
};

describe('GET /signup', () => {
  it('has every field of POST /user, each labelled, with autocomplete for new passwords', async () => {
    const { res, html } = await new PageClient().get('/signup');
    expect(res.status).toBe(200);
    for (const name of ['username', 'email', 'password', 'confirm_password', 'name', 'surname', 'city', 'organization', 'designation', 'mobile']) {
      expect(html).toContain(`<label for="signup-${name}">`);
      expect(html).toMatch(new RegExp(`<input id="signup-${name}" name="${name}"`));
    }
    expect(html).toMatch(/id="signup-password" name="password" type="password" autocomplete="new-password"/);
    expect(html).toMatch(/id="signup-email" name="email" type="email" autocomplete="email"/);
  });
});

describe('POST /signup', () => {
  it('signs the user up with role normal and signs them in: 303 to /account, a session cookie, a login record', async () => {
    const b = new PageClient();
    await b.get('/signup');
    const input = fresh();
    const { res } = await b.post('/signup', { ...input, city: 'Porto' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/account?notice=welcome');
    expect(b.cookies.has('__Host-session')).toBe(true);
    const row = await env.DB.prepare('select uuid, role, city from users where username = ?')
      .bind(input.username)
      .first<{ uuid: string; role: string; city: string }>();
    expect(row).toMatchObject({ role: 'normal', city: 'Porto' });
    const logins = await env.DB.prepare('select count(*) as n from logins where user_uuid = ?').bind(row!.uuid).first<{ n: number }>();
    expect(logins!.n).toBe(1);
    const account = await b.get(res.headers.get('location')!);
    expect(account.res.status).toBe(200);
    expect(account.html).toContain('Welcome! Your account is ready.');
    expect(account.html).toContain(input.username);
  });

  it('shows each field error next to its field, with 422, keeping what was typed but never a password', async () => {
    const b = new PageClient();
    await b.get('/signup');
    const input = { ...fresh(), username: 'x', email: 'not-an-email' };
    const { res, html } = await b.post('/signup', input);
    expect(res.status).toBe(422);
    expect(html).toMatch(/id="signup-username"[^>]*aria-invalid="true" aria-describedby="signup-username-hint signup-username-error"/);
    expect(html).toContain('id="signup-username-error"');
    expect(html).toContain('id="signup-email-error"');
    expect(html).toContain('value="not-an-email"');
    expect(html).not.toContain(PASSWORD);
    expect(b.cookies.has('__Host-session')).toBe(false);
  });

  it('says on the repeated password when the two differ', async () => {
    const b = new PageClient();
    await b.get('/signup');
    const { res, html } = await b.post('/signup', { ...fresh(), confirm_password: 'something else entirely' });
    expect(res.status).toBe(422);
    expect(html).toContain('id="signup-confirm_password-error">must equal password');
  });

  it('gives the password policy’s reason on the password field', async () => {
    const b = new PageClient();
    await b.get('/signup');
    const input = fresh();
    const { res, html } = await b.post('/signup', { ...input, password: 'password1234567', confirm_password: 'password1234567' });
    expect(res.status).toBe(422);
    expect(html).toMatch(/id="signup-password-error">[^<]+/);
  });

  it('answers a taken username with 409 on the username field, and creates nothing', async () => {
    const taken = await createUser();
    const b = new PageClient();
    await b.get('/signup');
    const { res, html } = await b.post('/signup', { ...fresh(), username: taken.username.toUpperCase() });
    expect(res.status).toBe(409);
    expect(html).toContain('id="signup-username-error">is taken');
    expect(b.cookies.has('__Host-session')).toBe(false);
  });

  it('refuses a cross-site sign-up with 403 and creates nobody', async () => {
    const b = new PageClient();
    await b.get('/signup');
    const input = fresh();
    expect((await b.post('/signup', input, { origin: 'https://evil.example' })).res.status).toBe(403);
    expect((await b.post('/signup', input, { csrf: null })).res.status).toBe(403);
    expect(await env.DB.prepare('select uuid from users where username = ?').bind(input.username).first()).toBeNull();
  });
});

describe('POST /user with Turnstile configured', () => {
  const TURNSTILE = { TURNSTILE_SITE_KEY: '1x00000000000000000000AA', TURNSTILE_SECRET_KEY: '1x0000000000000000000000000000000AA' };

  it('takes the token as cf-turnstile-response and checks it with siteverify before anything else', async () => {
    const { fetchWith } = await import('../helpers/photos');
    const seen = remoteStandIn(vi.spyOn, (s) => Response.json({ success: new URLSearchParams(new TextDecoder().decode(s.body)).get('response') === 'good' }));
    const send = (token?: string) => {
      const { confirm_password: _c, ...input } = fresh();
      return fetchWith(
        TURNSTILE,
        new Request('https://userauth.test/user', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ ...input, ...(token ? { 'cf-turnstile-response': token } : {}) }),
        }),
      );
    };
    const refused = await send('bad');
    expect(refused.status).toBe(403);
    expect((await body(refused)).type).toBe('urn:userauth:problem:captcha_failed');
    expect((await send()).status).toBe(403);
    expect((await send('good')).status).toBe(201);
    expect(seen.map((s) => new URLSearchParams(new TextDecoder().decode(s.body)).get('secret'))).toEqual([
      TURNSTILE.TURNSTILE_SECRET_KEY,
      TURNSTILE.TURNSTILE_SECRET_KEY,
    ]);
  });

  it('ignores cf-turnstile-response when Turnstile is off (no call anywhere)', async () => {
    const seen = remoteStandIn(vi.spyOn, () => Response.json({ success: false }));
    const { confirm_password: _c, ...input } = fresh();
    expect((await post('/user', { json: { ...input, 'cf-turnstile-response': 'anything' } })).status).toBe(201);
    expect(seen).toHaveLength(0);
  });
});
