import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { body, get, post } from '../helpers/api';
import { createUser, login, type TestUser } from '../helpers/factories';
import { PNG } from '../helpers/images';
import { PageClient } from '../helpers/pages';
import { r2Keys } from '../helpers/photos';

const NEW_PASSWORD = 'Marigold tram quietly 7741 harbour';

async function signedInBrowser(user?: TestUser) {
  const u = user ?? (await createUser());
  const b = new PageClient({ headers: { 'user-agent': 'AccountPageTest/2.0' } });
  await b.logIn(u.username, u.password);
  await b.get('/account');
  return { user: u, b };
}

const sessionIdOf = (b: PageClient) => b.cookies.get('__Host-session')!.split('.')[0]!;

describe('GET /account', () => {
  it('sends a browser without a session to the login, coming back here', async () => {
    const { res } = await new PageClient().get('/account');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login?return_to=/account');
  });

  it('shows the profile, role, email state, last login, login records, live sessions (this device marked) and security activity', async () => {
    const user = await createUser();
    const api = await login(user);
    const { b } = await signedInBrowser(user);
    const { res, html } = await b.get('/account');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(html).toContain(`<dd>${user.username}</dd>`);
    expect(html).toContain(user.email);
    expect(html).toContain('not verified');
    expect(html).toContain('<dt>Role</dt><dd>normal</dd>');
    expect(html).toMatch(/<dt>Last login<\/dt><dd><time datetime="\d{4}-/);
    // Two logins (the API's and the page's), two sessions, the page's marked.
    expect(html.match(/AccountPageTest\/2\.0/g)?.length).toBeGreaterThanOrEqual(2);
    expect(html).toContain('<span class="badge">this device</span>');
    expect(html).toContain('<span class="badge">API</span>');
    const sessions = await body<{ items: { id: string }[] }>(await get('/user/me/sessions', { token: api.access }));
    for (const s of sessions.items) expect(html).toContain(s.id === sessionIdOf(b) ? 'this device' : `/account/sessions/${s.id}/revoke`);
    expect(html).toContain('Recent security activity');
    expect(html).toContain('Logged in');
  });

  it('shows the one "this device" only on the session of this cookie, with no revoke button for it', async () => {
    const { b } = await signedInBrowser();
    const { html } = await b.get('/account');
    expect(html).not.toContain(`/account/sessions/${sessionIdOf(b)}/revoke`);
  });

  it('slides a browser session on use, at most once a minute, never past its absolute cap', async () => {
    const { user, b } = await signedInBrowser();
    const sid = sessionIdOf(b);
    const before = Date.now() - 10 * 60_000;
    await env.DB.prepare('update sessions set last_used_at = ?, expires_at = ? where id = ?')
      .bind(before, before + 3_600_000, sid)
      .run();
    await b.get('/account');
    const row = await env.DB.prepare('select last_used_at, expires_at, absolute_expires_at from sessions where id = ?')
      .bind(sid)
      .first<{ last_used_at: number; expires_at: number; absolute_expires_at: number }>();
    expect(row!.last_used_at).toBeGreaterThan(before);
    expect(row!.expires_at).toBe(Math.min(row!.last_used_at + 3_600_000, row!.absolute_expires_at));
    expect(user.uuid).toBeTruthy();
  });

  it('ends an idle browser session: after its idle expiry the cookie opens nothing', async () => {
    const { b } = await signedInBrowser();
    await env.DB.prepare('update sessions set expires_at = ? where id = ?')
      .bind(Date.now() - 1, sessionIdOf(b))
      .run();
    const { res } = await b.get('/account');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login?return_to=/account');
    expect(b.cookies.has('__Host-session')).toBe(false);
  });
});

describe('the account actions', () => {
  it('revoking another session from the page ends it for the API too', async () => {
    const { user, b } = await signedInBrowser();
    const api = await login(user);
    expect((await get('/user/me', { token: api.access })).status).toBe(200);
    const sessions = await body<{ items: { id: string }[] }>(await get('/user/me/sessions', { token: api.access }));
    const other = sessions.items.find((s) => s.id !== sessionIdOf(b))!;
    const { res } = await b.post(`/account/sessions/${other.id}/revoke`, {});
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/account?notice=session_revoked');
    expect((await get('/user/me', { token: api.access })).status).toBe(401);
    expect((await post('/token', { form: { grant_type: 'refresh_token', refresh_token: api.refresh } })).status).toBe(400);
  });

  it('answers a session that is not the caller’s with a 404 page, revoking nothing', async () => {
    const { b } = await signedInBrowser();
    const stranger = await createUser();
    const theirs = await login(stranger);
    const sessions = await body<{ items: { id: string }[] }>(await get('/user/me/sessions', { token: theirs.access }));
    const { res, html } = await b.post(`/account/sessions/${sessions.items[0]!.id}/revoke`, {});
    expect(res.status).toBe(404);
    expect(html).toContain('Page not found');
    expect((await get('/user/me', { token: theirs.access })).status).toBe(200);
  });

  it('saves the profile through PATCH /user/me’s rules: a blank field clears it, a bad one is a 422 on its field', async () => {
    const { user, b } = await signedInBrowser();
    const saved = await b.post('/account/profile', { username: user.username, city: 'Braga', organization: '', designation: 'Engineer', mobile: '' });
    expect(saved.res.headers.get('location')).toBe('/account?notice=profile_saved');
    const row = await env.DB.prepare('select city, organization, designation from users where uuid = ?').bind(user.uuid).first();
    expect(row).toEqual({ city: 'Braga', organization: null, designation: 'Engineer' });
    const bad = await b.post('/account/profile', { username: 'no spaces allowed', city: 'Braga', organization: '', designation: '', mobile: '' });
    expect(bad.res.status).toBe(422);
    expect(bad.html).toContain('id="profile-username-error"');
    expect(bad.html).toContain('value="no spaces allowed"');
  });

  it('refuses a profile field the page does not offer (email) as the API does', async () => {
    const { user, b } = await signedInBrowser();
    const res = await b.post('/account/profile', { username: user.username, email: 'new@example.com' });
    expect(res.res.status).toBe(303);
    const row = await env.DB.prepare('select email from users where uuid = ?').bind(user.uuid).first<{ email: string }>();
    expect(row!.email).toBe(user.email);
  });

  it('changes the password: this session stays, every other one ends, the new password logs in', async () => {
    const { user, b } = await signedInBrowser();
    const api = await login(user);
    const { res } = await b.post('/account/password', { current_password: user.password, new_password: NEW_PASSWORD });
    expect(res.headers.get('location')).toBe('/account?notice=password_changed');
    expect((await b.get('/account')).res.status).toBe(200);
    expect((await get('/user/me', { token: api.access })).status).toBe(401);
    expect((await new PageClient().logIn(user.username, NEW_PASSWORD)).res.status).toBe(303);
  });

  it('shows a wrong current password on its field with 422, and changes nothing', async () => {
    const { user, b } = await signedInBrowser();
    const { res, html } = await b.post('/account/password', { current_password: 'not it at all, sorry', new_password: NEW_PASSWORD });
    expect(res.status).toBe(422);
    expect(html).toContain('id="current-password-error">is incorrect');
    expect((await new PageClient().logIn(user.username, user.password)).res.status).toBe(303);
  });

  it('uploads a photo from the page (the manual recognizer: waiting for review) and shows it', async () => {
    const { user, b } = await signedInBrowser();
    const { res } = await b.post('/account/photo', { file: new File([PNG], 'me.png', { type: 'image/png' }) }, { multipart: true });
    expect(res.headers.get('location')).toBe('/account?notice=photo_pending');
    expect(await r2Keys(user.uuid)).toHaveLength(1);
    const { html } = await b.get('/account');
    expect(html).toContain('waiting for review');
    const photo = await b.fetch('/account/photo');
    expect(photo.status).toBe(200);
    expect(photo.headers.get('content-type')).toBe('image/png');
    expect(new Uint8Array(await photo.arrayBuffer())).toEqual(PNG);
  });

  it('refuses a file that is not an image with 415 on the page, keeping nothing', async () => {
    const { user, b } = await signedInBrowser();
    const { res, html } = await b.post('/account/photo', { file: new File(['<svg/>'], 'me.png', { type: 'image/png' }) }, { multipart: true });
    expect(res.status).toBe(415);
    expect(html).toContain('not a JPEG, PNG or WebP');
    expect(await r2Keys(user.uuid)).toEqual([]);
  });

  it('deletes the account only with the password, then clears the cookie', async () => {
    const { user, b } = await signedInBrowser();
    const wrong = await b.post('/account/delete', { current_password: 'not my password at all' });
    expect(wrong.res.status).toBe(422);
    expect(await env.DB.prepare('select uuid from users where uuid = ?').bind(user.uuid).first()).not.toBeNull();
    const { res } = await b.post('/account/delete', { current_password: user.password });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login?notice=deleted');
    expect(b.cookies.has('__Host-session')).toBe(false);
    expect(await env.DB.prepare('select uuid from users where uuid = ?').bind(user.uuid).first()).toBeNull();
  });

  it('logs out: this session revoked (its row, so the API sees it too), the cookie cleared, 303 to /login', async () => {
    const { user, b } = await signedInBrowser();
    const sid = sessionIdOf(b);
    const value = b.cookies.get('__Host-session')!;
    const { res } = await b.post('/logout', {});
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login?notice=logged_out');
    expect(res.headers.getSetCookie()).toContain('__Host-session=; Max-Age=0; Path=/; Secure');
    const row = await env.DB.prepare('select revoked_at from sessions where id = ?').bind(sid).first<{ revoked_at: number | null }>();
    expect(row!.revoked_at).not.toBeNull();
    // The old cookie, replayed, opens nothing.
    b.cookies.set('__Host-session', value);
    expect((await b.get('/account')).res.status).toBe(303);
    expect(user.uuid).toBeTruthy();
  });
});

describe('CSRF on the account forms', () => {
  it('refuses a cross-site POST with 403 and changes nothing', async () => {
    const { user, b } = await signedInBrowser();
    for (const opts of [{ origin: 'https://evil.example' }, { site: 'cross-site', origin: null }, { csrf: null }]) {
      const { res, html } = await b.post('/account/profile', { username: user.username, city: 'Hacked' }, opts);
      expect(res.status).toBe(403);
      expect(html).toContain('did not come from this site');
      expect((await b.post('/account/delete', { current_password: user.password }, opts)).res.status).toBe(403);
      expect((await b.post('/logout', {}, opts)).res.status).toBe(403);
    }
    const row = await env.DB.prepare('select city from users where uuid = ?').bind(user.uuid).first<{ city: string | null }>();
    expect(row!.city).toBeNull();
    expect((await b.get('/account')).res.status).toBe(200);
  });

  it('refuses the token of another session (or of the pre-session) on an account form', async () => {
    const { user, b } = await signedInBrowser();
    const other = await signedInBrowser(user);
    const login = new PageClient();
    await login.get('/login');
    for (const csrf of [other.b.csrf, login.csrf])
      expect((await b.post('/account/profile', { username: user.username, city: 'X' }, { csrf })).res.status).toBe(403);
  });
});

describe('a forged cookie', () => {
  it('with the right ids but another secret changes nothing, even with the CSRF token of that secret', async () => {
    const { user, b } = await signedInBrowser();
    const [sid, sub] = b.cookies.get('__Host-session')!.split('.');
    const forged = 'F'.repeat(43);
    const attacker = new PageClient();
    attacker.cookies.set('__Host-session', `${sid}.${sub}.${forged}`);
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`csrf:${forged}`));
    const csrf = btoa(String.fromCharCode(...new Uint8Array(digest)))
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '');
    const { res } = await attacker.post('/account/profile', { username: user.username, city: 'Forged' }, { csrf });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login?return_to=/account');
    const row = await env.DB.prepare('select city from users where uuid = ?').bind(user.uuid).first<{ city: string | null }>();
    expect(row!.city).toBeNull();
  });
});

describe('page errors are HTML pages', () => {
  it('answers an unknown path under /account with a 404 page, and any other unknown path with problem+json, whatever Accept says', async () => {
    const page = await new PageClient().fetch('/account/no-such-page');
    expect(page.status).toBe(404);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    for (const res of [await new PageClient().fetch('/no-such-page'), await get('/user/x/y')]) {
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
    }
  });

  it('answers GET /logout with 405 and Allow, as a page', async () => {
    const res = await new PageClient().fetch('/logout');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST');
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it('answers a form that is not a form with 415, and one with a repeated field with 400', async () => {
    const { b } = await signedInBrowser();
    const json = await b.fetch('/account/profile', {
      method: 'POST',
      headers: { origin: 'https://userauth.test', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(json.status).toBe(415);
    expect(json.headers.get('content-type')).toMatch(/^text\/html/);
    const repeated = await b.fetch('/account/profile', {
      method: 'POST',
      headers: { origin: 'https://userauth.test', 'content-type': 'application/x-www-form-urlencoded' },
      body: `csrf=${b.csrf}&city=a&city=b`,
    });
    expect(repeated.status).toBe(400);
  });

  it('answers a body over the limit with 413 as a page', async () => {
    const { b } = await signedInBrowser();
    const res = await b.fetch('/account/profile', {
      method: 'POST',
      headers: { origin: 'https://userauth.test', 'content-type': 'application/x-www-form-urlencoded' },
      body: `csrf=${b.csrf}&city=${'a'.repeat(20_000)}`,
    });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
  });
});
