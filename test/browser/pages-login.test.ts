import { describe, expect, it } from 'vitest';
import { checkAxeAtBothWidths } from './harness/axe';
import { useBrowser } from './harness/browser';
import { screenshot } from './harness/screenshots';
import { useWorker } from './harness/server';
import { newUser, signUp } from './harness/users';
import {
  alertText,
  button,
  checkThisPage,
  descriptionOf,
  expectClean,
  field,
  fillSignUp,
  here,
  logInInPage,
  logOutInPage,
  sessionCookie,
  signUpInPage,
  submit,
} from './pages-helpers';

/**
 * The log-in and sign-up pages in a real browser: what only Chromium shows (where a form lands,
 * the cookie as the browser keeps it, the 429 as a navigation, the pages without JavaScript,
 * axe at 320 and 1280 px). The HTTP-level rules are test/routes/pages-login.test.ts and
 * pages-signup.test.ts.
 *
 * IP_RATE_LIMIT off: every request here comes from 127.0.0.1, and this file logs in and signs up
 * more than the per-IP limiters allow in a minute; the 429 below must be the per-account throttle's.
 */
const worker = useWorker({ vars: { IP_RATE_LIMIT: 'off' } });
const browser = useBrowser();

const LOGIN_REFUSED = 'The username, email or password is not right.';
const WRONG = 'certainly not the password';

describe('sign up, log out, log in', () => {
  it('signs up from /signup onto /account, logs out from the header, and logs in by username and by email', async () => {
    const tp = await browser.newPage();
    const { page } = tp;
    const user = newUser();
    await signUpInPage(page, worker.origin, user);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Your account');
    expect(await page.getByRole('status').textContent()).toBe('Welcome! Your account is ready.');
    expect(await page.getByRole('region', { name: 'Profile' }).textContent()).toContain(user.username);
    await expectClean(tp);

    const out = await logOutInPage(page);
    expect(out.status()).toBe(303);
    expect(here(page)).toBe('/login?notice=logged_out');
    expect(await page.getByRole('status').textContent()).toBe('You are logged out.');
    expect(await sessionCookie(tp)).toBeUndefined();
    await page.goto(worker.url('/account'));
    expect(here(page)).toBe('/login?return_to=/account');

    for (const login of [user.username, user.email]) {
      const res = await logInInPage(page, worker.origin, login, user.password);
      expect(res.status()).toBe(303);
      expect(here(page)).toBe('/account');
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Your account');
      await logOutInPage(page);
    }
    await expectClean(tp);
  });

  it('answers a wrong password with the one generic message, on /login, without a session cookie', async () => {
    const user = await signUp(worker.origin);
    const tp = await browser.newPage();
    const { page } = tp;
    const res = await logInInPage(page, worker.origin, user.username, WRONG);
    expect(res.status()).toBe(400);
    expect(here(page)).toBe('/login');
    expect(await alertText(page)).toBe(LOGIN_REFUSED);
    // The name typed is not shown again (the page is the same whoever it named).
    expect(await field(page, 'Username or email').inputValue()).toBe('');
    expect(await sessionCookie(tp)).toBeUndefined();
    // An unknown user gets the very same message.
    await logInInPage(page, worker.origin, `nobody_${crypto.randomUUID().slice(0, 8)}`, WRONG);
    expect(await alertText(page)).toBe(LOGIN_REFUSED);
    expect(await sessionCookie(tp)).toBeUndefined();
  });

  it('throttles repeated wrong passwords: the navigation answers 429 with Retry-After and says when to try again', async () => {
    const user = await signUp(worker.origin);
    const tp = await browser.newPage();
    const { page } = tp;
    const statuses: number[] = [];
    let throttled: Awaited<ReturnType<typeof submit>> | undefined;
    // Failures 1–4 are free, the fifth blocks the name for 1 s, the sixth for 2 s …: keep
    // trying (as a person would) until the block is in force when the form arrives.
    for (let i = 0; i < 12 && !throttled; i++) {
      const res = await logInInPage(page, worker.origin, user.username, WRONG);
      statuses.push(res.status());
      if (res.status() === 429) throttled = res;
    }
    expect(statuses.slice(0, 5)).toEqual([400, 400, 400, 400, 400]);
    expect(throttled, `statuses: ${statuses.join(', ')}`).toBeDefined();
    const retryAfter = Number(await throttled!.headerValue('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(here(page)).toBe('/login');
    expect(await alertText(page)).toMatch(/^Too many attempts\. Try again in \d+ seconds?\.$/);
    expect(Number((await alertText(page))!.match(/\d+/)![0])).toBeLessThanOrEqual(retryAfter);
    expect(await sessionCookie(tp)).toBeUndefined();
    await screenshot(page, 'login-throttled');
    await checkThisPage(tp, 'the 429 page');
  });
});

describe('return_to', () => {
  it('lands on a local return_to after logging in, and on /account for any other', async () => {
    const user = await signUp(worker.origin);
    const cases: [string, string][] = [
      ['/login?return_to=/account?x=1', '/account?x=1'],
      [`/login?return_to=${encodeURIComponent('/account?x=1')}`, '/account?x=1'],
      ['/login?return_to=//evil.example/', '/account'],
      ['/login?return_to=https://evil.example/', '/account'],
    ];
    for (const [path, landing] of cases) {
      const tp = await browser.newPage();
      const res = await logInInPage(tp.page, worker.origin, user.username, user.password, { path });
      expect(res.status(), path).toBe(303);
      expect(new URL(tp.page.url()).origin, path).toBe(worker.origin);
      expect(here(tp.page), path).toBe(landing);
      await expectClean(tp);
    }
  });

  it('sends a browser without a session from /account to /login and back after logging in', async () => {
    const user = await signUp(worker.origin);
    const { page } = await browser.newPage();
    await page.goto(worker.url('/account'));
    expect(here(page)).toBe('/login?return_to=/account');
    await field(page, 'Username or email').fill(user.email);
    await field(page, 'Password').fill(user.password);
    await submit(page, button(page, 'Log in'));
    expect(here(page)).toBe('/account');
  });
});

describe('the session cookie as the browser keeps it', () => {
  it('is __Host-session: HttpOnly, Secure, SameSite=Lax, Path=/, host-only; it ends with the browser without "Remember me"', async () => {
    const user = await signUp(worker.origin);
    const tp = await browser.newPage();
    await logInInPage(tp.page, worker.origin, user.username, user.password);
    const cookie = await sessionCookie(tp);
    expect(cookie).toMatchObject({ name: '__Host-session', httpOnly: true, secure: true, sameSite: 'Lax', path: '/', expires: -1 });
    // Host-only: the host itself, not `.127.0.0.1` (a Domain attribute; `__Host-` forbids one).
    expect(cookie!.domain).toBe('127.0.0.1');
    // The pre-session cookie of the login form went with the login.
    expect((await tp.context.cookies()).map((c) => c.name)).toEqual(['__Host-session']);
    // HttpOnly as the page sees it: no script can read it.
    expect(await tp.page.evaluate(() => document.cookie)).not.toContain('__Host-session');
  });

  it('lasts (a persistent cookie, about 90 days) with "Remember me"', async () => {
    const user = await signUp(worker.origin);
    const tp = await browser.newPage();
    await logInInPage(tp.page, worker.origin, user.username, user.password, { remember: true });
    expect(here(tp.page)).toBe('/account');
    const cookie = await sessionCookie(tp);
    expect(cookie).toMatchObject({ name: '__Host-session', httpOnly: true, secure: true, sameSite: 'Lax', path: '/', domain: '127.0.0.1' });
    const days = (cookie!.expires - Date.now() / 1000) / 86_400;
    // REFRESH_TOKEN_ABSOLUTE_TTL_SECONDS: 7,776,000 s = 90 days by default.
    expect(days).toBeGreaterThan(89);
    expect(days).toBeLessThanOrEqual(90);
  });

  it('is ignored by the JSON API: GET /user/me with the browser’s cookies is 401', async () => {
    const user = await signUp(worker.origin);
    const tp = await browser.newPage();
    await logInInPage(tp.page, worker.origin, user.username, user.password);
    expect(await sessionCookie(tp)).toBeDefined();
    // page.request sends this context's cookies, the session cookie included.
    const me = await tp.page.request.get(worker.url('/user/me'));
    expect(me.status()).toBe(401);
    expect(me.headers()['content-type']).toMatch(/^application\/problem\+json/);
    expect((await tp.page.request.get(worker.url('/user/me/sessions'))).status()).toBe(401);
    // … while the page itself is signed in.
    await tp.page.goto(worker.url('/account'));
    expect(here(tp.page)).toBe('/account');
  });
});

describe('with JavaScript turned off', () => {
  it('signs up, shows the account, logs out and logs in again', async () => {
    const tp = await browser.newPage({ context: { javaScriptEnabled: false } });
    const { page } = tp;
    // Scripts really are off in this context (data: URLs are not blocked).
    await page.goto('data:text/html,<title>off</title><script>document.title = "on"</script>');
    expect(await page.title()).toBe('off');

    const user = newUser();
    await signUpInPage(page, worker.origin, user);
    expect(await page.getByRole('region', { name: 'Profile' }).textContent()).toContain(user.email);
    expect(await page.getByText('this device').count()).toBe(1);
    await logOutInPage(page);
    expect(here(page)).toBe('/login?notice=logged_out');
    await page.goto(worker.url('/account'));
    expect(here(page)).toBe('/login?return_to=/account');
    const res = await logInInPage(page, worker.origin, user.username, user.password, { path: '/login?return_to=/account', remember: true });
    expect(res.status()).toBe(303);
    expect(here(page)).toBe('/account');
    expect((await sessionCookie(tp))?.expires).toBeGreaterThan(Date.now() / 1000);
    expect(tp.blocked).toEqual([]);
  });
});

describe('accessibility (axe-core: no serious or critical violation at 320 and 1280 px), no CSP violation, nothing blocked', () => {
  it('/login', async () => {
    const tp = await browser.newPage();
    await checkAxeAtBothWidths(tp.page, worker.url('/login'));
    await expectClean(tp);
    await screenshot(tp.page, 'login');
  });

  it('/login with the wrong-password message', async () => {
    const tp = await browser.newPage();
    await logInInPage(tp.page, worker.origin, 'someone@example.com', WRONG);
    expect(await alertText(tp.page)).toBe(LOGIN_REFUSED);
    await screenshot(tp.page, 'login-error');
    await checkThisPage(tp, '/login with the wrong-password message');
  });

  it('/signup', async () => {
    const tp = await browser.newPage();
    await checkAxeAtBothWidths(tp.page, worker.url('/signup'));
    await expectClean(tp);
    await screenshot(tp.page, 'signup');
  });

  it('/signup with field errors, each tied to its field', async () => {
    const tp = await browser.newPage();
    const { page } = tp;
    await page.goto(worker.url('/signup'));
    // Values the browser's own constraints let through and the server refuses.
    await fillSignUp(page, { username: 'no spaces allowed', email: 'ada@example.com', password: 'short', confirm: 'shorter', name: 'Ada', surname: 'Tester' });
    await field(page, 'Mobile (optional)').fill('call me maybe');
    const res = await submit(page, button(page, 'Create account'));
    expect(res.status()).toBe(422);
    expect(here(page)).toBe('/signup');
    expect(await alertText(page)).toBe('Some fields need another look; each says what is wrong.');
    for (const label of ['Username', 'Repeat the password', 'Mobile (optional)']) {
      const input = field(page, label);
      expect(await input.getAttribute('aria-invalid'), label).toBe('true');
      expect((await descriptionOf(input)).length, label).toBeGreaterThan(0);
    }
    expect(await descriptionOf(field(page, 'Repeat the password'))).toEqual(['must equal password']);
    // What was typed is shown again, never a password.
    expect(await field(page, 'Username').inputValue()).toBe('no spaces allowed');
    expect(await field(page, 'Password').inputValue()).toBe('');
    await screenshot(page, 'signup-errors');
    await checkThisPage(tp, '/signup with field errors');
  });
});
