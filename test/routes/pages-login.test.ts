import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { get } from '../helpers/api';
import { createUser } from '../helpers/factories';
import { PageClient } from '../helpers/pages';
import { remoteStandIn } from '../helpers/photos';

const WRONG = 'definitely not the right password';

/** What a browser can observe of a response, minus what differs on every response anyway. */
async function observable(res: Response) {
  const headers = [...res.headers].filter(([name]) => !['date', 'x-request-id'].includes(name));
  return { status: res.status, text: await res.text(), headers };
}

const sessionRows = (userUuid: string) =>
  env.DB.prepare('select id, cookie_hash, idle_seconds, expires_at, created_at from sessions where user_uuid = ?')
    .bind(userUuid)
    .all<{ id: string; cookie_hash: string | null; idle_seconds: number | null; expires_at: number; created_at: number }>()
    .then((r) => r.results);
const loginCount = async (userUuid: string) =>
  (await env.DB.prepare('select count(*) as n from logins where user_uuid = ?').bind(userUuid).first<{ n: number }>())!.n;

afterEach(() => vi.restoreAllMocks());

describe('GET /login', () => {
  it('serves the form bound to a new pre-session cookie, with labels and autocomplete for password managers', async () => {
    const b = new PageClient();
    const { res, html } = await b.get('/login');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const [cookie] = res.headers.getSetCookie();
    expect(cookie).toMatch(/^__Host-presession=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
    expect(b.csrf).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(html).toContain('<label for="login">Username or email');
    expect(html).toMatch(/<input id="login" name="username" type="text" autocomplete="username"/);
    expect(html).toMatch(/<input id="password" name="password" type="password" autocomplete="current-password"/);
    expect(html).toMatch(/^<!doctype html><html lang="en">/);
  });

  it('keeps the pre-session a browser already has', async () => {
    const b = new PageClient();
    await b.get('/login');
    const token = b.csrf;
    const again = await b.get('/login');
    expect(again.res.headers.getSetCookie()).toEqual([]);
    expect(b.csrf).toBe(token);
  });

  it('sets a CSP without inline script, framing or base, and no-store', async () => {
    const { res } = await new PageClient().get('/login');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("form-action 'self'");
    expect(csp).toContain("base-uri 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('https:');
    expect(res.headers.get('cache-control')).toBe('no-store');
  });
});

describe('POST /login', () => {
  it('signs in with a new __Host- session cookie and 303 to /account, writing a login record and a browser session', async () => {
    const user = await createUser();
    const b = new PageClient({ headers: { 'user-agent': 'PageTest/1.0' } });
    const { res } = await b.logIn(user.username, user.password);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/account');
    const cookies = res.headers.getSetCookie();
    const session = cookies.find((c) => c.startsWith('__Host-session='))!;
    expect(session).toMatch(/^__Host-session=[^;]+; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
    expect(session).not.toMatch(/domain=|max-age/i);
    expect(cookies).toContain('__Host-presession=; Max-Age=0; Path=/; Secure');
    expect(await loginCount(user.uuid)).toBe(1);
    const [row] = await sessionRows(user.uuid);
    // Only the secret's hash is stored, never the cookie value or the secret.
    const value = session.split(';')[0]!.split('=')[1]!;
    const secret = value.split('.')[2]!;
    expect(row!.cookie_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row!.cookie_hash).not.toContain(secret);
    expect(JSON.stringify(await env.DB.prepare('select * from sessions').all())).not.toContain(secret);
    expect((await b.get('/account')).res.status).toBe(200);
  });

  it('signs in by email, in any case', async () => {
    const user = await createUser();
    const { res } = await new PageClient().logIn(user.email.toUpperCase(), user.password);
    expect(res.headers.get('location')).toBe('/account');
  });

  it('makes a new session at every login (no fixation): a cookie planted before the login is not the one after', async () => {
    const user = await createUser();
    const b = new PageClient();
    await b.logIn(user.username, user.password);
    const first = b.cookies.get('__Host-session');
    await b.logIn(user.username, user.password);
    expect(b.cookies.get('__Host-session')).not.toBe(first);
    expect((await sessionRows(user.uuid)).length).toBe(2);
  });

  it('without "remember me": a cookie that ends with the browser, on a session with the short idle expiry', async () => {
    const user = await createUser();
    await new PageClient().logIn(user.username, user.password);
    const [row] = await sessionRows(user.uuid);
    expect(row!.idle_seconds).toBe(3600);
    expect(row!.expires_at - row!.created_at).toBe(3600 * 1000);
  });

  it('with "remember me": a cookie with Max-Age, on a session with the refresh-token sliding expiry', async () => {
    const user = await createUser();
    const { res } = await new PageClient().logIn(user.username, user.password, { remember: '1' });
    expect(res.headers.getSetCookie().find((c) => c.startsWith('__Host-session='))).toMatch(/; Max-Age=7776000;/);
    const [row] = await sessionRows(user.uuid);
    expect(row!.idle_seconds).toBe(2_592_000);
    expect(row!.expires_at - row!.created_at).toBe(2_592_000 * 1000);
  });

  it('answers an unknown user and a wrong password with byte-identical pages, and writes no session or login record', async () => {
    const user = await createUser();
    const b = new PageClient();
    await b.get('/login');
    const wrong = await b.post('/login', { username: user.username, password: WRONG });
    const unknown = await b.post('/login', { username: `nobody_${crypto.randomUUID().slice(0, 8)}`, password: WRONG });
    const disabled = await createUser();
    await env.DB.prepare('update users set disabled = 1 where uuid = ?').bind(disabled.uuid).run();
    const disabledRight = await b.post('/login', { username: disabled.username, password: disabled.password });
    expect(wrong.res.status).toBe(400);
    expect(wrong.html).toContain('The username, email or password is not right.');
    const reference = await observable(new Response(wrong.html, wrong.res));
    expect(await observable(new Response(unknown.html, unknown.res))).toEqual(reference);
    expect(await observable(new Response(disabledRight.html, disabledRight.res))).toEqual(reference);
    expect(await sessionRows(user.uuid)).toEqual([]);
    expect(await loginCount(user.uuid)).toBe(0);
  });

  it('is throttled exactly like /token: the same account counter, 429 with Retry-After, on an HTML page', async () => {
    const user = await createUser();
    const b = new PageClient();
    await b.get('/login');
    for (let i = 0; i < 4; i += 1) expect((await b.post('/login', { username: user.username, password: WRONG })).res.status).toBe(400);
    // The fifth wrong password starts the delay; the account is now throttled for /token as well.
    await b.post('/login', { username: user.username, password: WRONG });
    const { res, html } = await b.post('/login', { username: user.username, password: user.password });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html).toMatch(/Too many attempts\. Try again in (1 second|\d+ seconds)\./);
    const token = await (await import('../helpers/api')).post('/token', { form: { grant_type: 'password', username: user.username, password: user.password } });
    expect(token.status).toBe(429);
  });

  it('honours a local return_to and ignores any other', async () => {
    const user = await createUser();
    const cases: [string, string][] = [
      ['/account?tab=sessions', '/account?tab=sessions'],
      ['//evil.example/x', '/account'],
      ['https://evil.example/', '/account'],
      ['/\\evil.example', '/account'],
      ['/\t/evil.example', '/account'],
      ['account', '/account'],
    ];
    for (const [returnTo, expected] of cases) {
      const b = new PageClient();
      await b.get(`/login?return_to=${encodeURIComponent(returnTo)}`);
      const { res } = await b.post('/login', { username: user.username, password: user.password, return_to: returnTo });
      expect(res.headers.get('location'), returnTo).toBe(expected);
    }
  });

  it('carries a local return_to from the query into the form, and drops another', async () => {
    expect((await new PageClient().get('/login?return_to=/account')).html).toContain('name="return_to" value="/account"');
    expect((await new PageClient().get('/login?return_to=//evil.example')).html).not.toContain('return_to');
  });
});

describe('login CSRF: the form must come from this site and carry the token of this browser’s pre-session', () => {
  const attempts: [string, Parameters<PageClient['post']>[2]][] = [
    ['no Origin and no Sec-Fetch-Site', { origin: null }],
    ['a cross-site Origin', { origin: 'https://evil.example' }],
    ['Sec-Fetch-Site: cross-site', { site: 'cross-site', origin: null }],
    ['Sec-Fetch-Site: same-site (a sibling subdomain)', { site: 'same-site' }],
    ['no token', { csrf: null }],
    ['a token of another browser', { csrf: 'x'.repeat(43) }],
  ];
  for (const [what, opts] of attempts) {
    it(`refuses ${what} with a 403 page, and logs nobody in`, async () => {
      const user = await createUser();
      const b = new PageClient();
      await b.get('/login');
      const { res, html } = await b.post('/login', { username: user.username, password: user.password }, opts);
      expect(res.status).toBe(403);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(html).toContain('did not come from this site');
      expect(b.cookies.has('__Host-session')).toBe(false);
      expect(await loginCount(user.uuid)).toBe(0);
    });
  }

  it('refuses a login POST from a browser with no pre-session cookie', async () => {
    const user = await createUser();
    const b = new PageClient();
    await b.get('/login');
    b.cookies.clear();
    expect((await b.post('/login', { username: user.username, password: user.password })).res.status).toBe(403);
  });

  it('accepts Sec-Fetch-Site: same-origin without Origin', async () => {
    const user = await createUser();
    const b = new PageClient();
    await b.get('/login');
    expect((await b.post('/login', { username: user.username, password: user.password }, { origin: null, site: 'same-origin' })).res.status).toBe(303);
  });
});

describe('the cookie authenticates the pages only', () => {
  it('is ignored by the JSON API: GET /user/me with only the cookie is 401', async () => {
    const user = await createUser();
    const b = new PageClient();
    await b.logIn(user.username, user.password);
    const res = await get('/user/me', { headers: { cookie: `__Host-session=${b.cookies.get('__Host-session')}` } });
    expect(res.status).toBe(401);
  });

  it('cannot be used as a refresh token, nor its secret', async () => {
    const user = await createUser();
    const b = new PageClient();
    await b.logIn(user.username, user.password);
    const value = b.cookies.get('__Host-session')!;
    const { post } = await import('../helpers/api');
    for (const token of [value, value.split('.')[2]!]) {
      expect((await post('/token', { form: { grant_type: 'refresh_token', refresh_token: token } })).status).toBe(400);
    }
  });

  it('opens nothing with a wrong secret, or with the ids of another session', async () => {
    const user = await createUser();
    const b = new PageClient();
    await b.logIn(user.username, user.password);
    const [sid, sub] = b.cookies.get('__Host-session')!.split('.');
    b.cookies.set('__Host-session', `${sid}.${sub}.${'A'.repeat(43)}`);
    const { res } = await b.get('/account');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login?return_to=/account');
  });
});

describe('Turnstile, when its keys are configured', () => {
  const TURNSTILE = { TURNSTILE_SITE_KEY: '1x00000000000000000000AA', TURNSTILE_SECRET_KEY: '1x0000000000000000000000000000000AA' };

  it('puts the widget on the login and sign-up forms, and only then names its origin in the CSP (with a nonce)', async () => {
    for (const path of ['/login', '/signup']) {
      const { res, html } = await new PageClient({ vars: TURNSTILE }).get(path);
      const csp = res.headers.get('content-security-policy')!;
      const nonce = /'nonce-([A-Za-z0-9_-]+)'/.exec(csp)?.[1];
      expect(nonce).toBeTruthy();
      expect(csp).toContain('https://challenges.cloudflare.com');
      expect(html).toContain(`<script src="https://challenges.cloudflare.com/turnstile/v0/api.js" nonce="${nonce}" async="" defer="">`);
      expect(html).toContain(`data-sitekey="${TURNSTILE.TURNSTILE_SITE_KEY}"`);
    }
    expect((await new PageClient().get('/login')).res.headers.get('content-security-policy')).not.toContain('challenges.cloudflare.com');
  });

  it('verifies the token with siteverify (our secret, the token, the client IP) before the password, then logs in', async () => {
    const user = await createUser();
    const seen = remoteStandIn(vi.spyOn, () => Response.json({ success: true }));
    const b = new PageClient({ vars: TURNSTILE, headers: { 'cf-connecting-ip': '203.0.113.9' } });
    await b.get('/login');
    const { res } = await b.post('/login', { username: user.username, password: user.password, 'cf-turnstile-response': 'solved-token' });
    expect(res.status).toBe(303);
    expect(seen).toHaveLength(1);
    const { request, body } = seen[0]!;
    expect(request.url).toBe('https://challenges.cloudflare.com/turnstile/v0/siteverify');
    expect(request.method).toBe('POST');
    const sent = new URLSearchParams(new TextDecoder().decode(body));
    expect(sent.get('secret')).toBe(TURNSTILE.TURNSTILE_SECRET_KEY);
    expect(sent.get('response')).toBe('solved-token');
    expect(sent.get('remoteip')).toBe('203.0.113.9');
    expect(sent.get('idempotency_key')).toMatch(/^[0-9a-f-]{36}$/);
    expect([...sent.keys()].sort()).toEqual(['idempotency_key', 'remoteip', 'response', 'secret']);
    expect(new TextDecoder().decode(body)).not.toContain(encodeURIComponent(user.password));
  });

  it('refuses an unsolved challenge before any other work: no throttle count, no login record, no password check', async () => {
    const user = await createUser();
    remoteStandIn(vi.spyOn, () => Response.json({ success: false, 'error-codes': ['invalid-input-response'] }));
    const b = new PageClient({ vars: TURNSTILE });
    await b.get('/login');
    const { res, html } = await b.post('/login', { username: user.username, password: WRONG, 'cf-turnstile-response': 'bad' });
    expect(res.status).toBe(403);
    expect(html).toContain('Complete the captcha');
    const throttle = await env.DB.prepare("select count(*) as n from login_throttle where key = 'login:' || ?")
      .bind(user.username.toLowerCase())
      .first<{ n: number }>();
    expect(throttle!.n).toBe(0);
    expect(await loginCount(user.uuid)).toBe(0);
  });

  it('refuses a missing token without calling siteverify, and fails closed when siteverify is down', async () => {
    const user = await createUser();
    const seen = remoteStandIn(vi.spyOn, () => new Response('unavailable', { status: 503 }));
    const b = new PageClient({ vars: TURNSTILE });
    await b.get('/login');
    expect((await b.post('/login', { username: user.username, password: user.password })).res.status).toBe(403);
    expect(seen).toHaveLength(0);
    const down = await b.post('/login', { username: user.username, password: user.password, 'cf-turnstile-response': 'any' });
    expect(down.res.status).toBe(502);
    expect(b.cookies.has('__Host-session')).toBe(false);
  });
});
