/// <reference lib="dom" />
// The functions passed to locator.evaluate() run in the page: they use the DOM's globals.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAxeAtBothWidths } from './harness/axe';
import { useBrowser } from './harness/browser';
import { screenshot } from './harness/screenshots';
import { useWorker } from './harness/server';
import { newUser, type TestUser } from './harness/users';
import {
  alertText,
  apiLogin,
  button,
  checkThisPage,
  descriptionOf,
  expectClean,
  field,
  here,
  logInInPage,
  logOutInPage,
  meStatus,
  portraitPng,
  sessionCookie,
  signUpInPage,
  submit,
  TINY_PNG,
} from './pages-helpers';

/**
 * The account page and its forms in a real browser: sessions and login records, revoking an API
 * session, the password change, a photo upload that really shows, erasure, a cross-site form
 * refused, axe at 320 and 1280 px. The HTTP-level rules are test/routes/pages-account.test.ts.
 *
 * IP_RATE_LIMIT off: this file signs up more users a minute (all from 127.0.0.1) than the per-IP
 * sign-up limit lets through.
 */
const worker = useWorker({ vars: { IP_RATE_LIMIT: 'off' } });
const browser = useBrowser();

const NEW_PASSWORD = 'Copper lantern meadow 4471 drift';
const LOGIN_REFUSED = 'The username, email or password is not right.';

/** A user signed up from /signup in a fresh page, which is left on /account. */
async function signedIn(overrides: Partial<TestUser> = {}) {
  const tp = await browser.newPage();
  const user = newUser(overrides);
  await signUpInPage(tp.page, worker.origin, user);
  return { ...tp, user };
}

const region = (page: Page, name: string) => page.getByRole('region', { name, exact: true });
const sessionItems = (page: Page) => region(page, 'Where you are logged in').getByRole('listitem');
const loginItems = (page: Page) => region(page, 'Recent logins').getByRole('listitem');

/** Opens "Edit profile" (a <details>) and saves `city`. */
async function saveCity(page: Page, city: string) {
  await page.getByText('Edit profile', { exact: true }).click();
  await field(page, 'City (optional)').fill(city);
  const res = await submit(page, button(page, 'Save profile'));
  expect(res.status()).toBe(303);
  expect(await page.getByRole('status').textContent()).toBe('Your profile was saved.');
}

async function uploadPhoto(page: Page, file: { name: string; mimeType: string; buffer: Buffer }) {
  await field(page, 'A photo of you').setInputFiles(file);
  return submit(page, button(page, 'Upload'));
}

/** The photo on the page has been fetched and decoded: its natural width (0 when it failed). */
const naturalWidth = (page: Page) =>
  page.getByRole('img', { name: 'You, as you uploaded yourself' }).evaluate(async (img: HTMLImageElement) => {
    await img.decode().catch(() => undefined);
    return img.naturalWidth;
  });

describe('/account: sessions and login records', () => {
  it('lists the logins and the sessions, this browser marked "this device"; revoking the API session from the page ends it for the API', async () => {
    const tp = await browser.newPage();
    const { page } = tp;
    const user = newUser();
    await signUpInPage(page, worker.origin, user);
    await logOutInPage(page);
    await logInInPage(page, worker.origin, user.email, user.password);
    const api = await apiLogin(worker.origin, user);
    expect(await meStatus(worker.origin, api.accessToken)).toBe(200);
    await page.reload();

    const ua = await page.evaluate(() => navigator.userAgent);
    // Newest first: the password grant, the page login, the sign-up's own login.
    const logins = loginItems(page);
    expect(await logins.count()).toBe(3);
    expect(await logins.nth(0).textContent()).toContain('node');
    for (const i of [1, 2]) {
      expect(await logins.nth(i).textContent()).toContain(ua.slice(0, 100));
      expect(await logins.nth(i).textContent()).toContain('127.0.0.1');
    }

    const sessions = sessionItems(page);
    expect(await sessions.count()).toBe(2);
    const mine = sessions.filter({ hasText: 'this device' });
    const apiSession = sessions.filter({ hasText: /API/ });
    expect(await mine.count()).toBe(1);
    expect(await mine.textContent()).toContain(ua.slice(0, 100));
    // No button to log out this very session (the header's "Log out" does that).
    expect(await mine.getByRole('button').count()).toBe(0);
    expect(await apiSession.count()).toBe(1);

    const res = await submit(page, apiSession.getByRole('button', { name: 'Log out this session' }));
    expect(res.status()).toBe(303);
    expect(here(page)).toBe('/account?notice=session_revoked');
    expect(await page.getByRole('status').textContent()).toBe('That session was logged out.');
    expect(await sessions.count()).toBe(1);
    expect(await sessions.first().textContent()).toContain('this device');
    expect(await meStatus(worker.origin, api.accessToken)).toBe(401);
    await expectClean(tp);
  });
});

describe('/account: the forms', () => {
  it('changes the password: the old one then fails on /login, the new one works, and other sessions end', async () => {
    const tp = await signedIn();
    const { page, user } = tp;
    const api = await apiLogin(worker.origin, user);
    await field(page, 'Current password').fill(user.password);
    await field(page, 'New password').fill(NEW_PASSWORD);
    const res = await submit(page, button(page, 'Change password'));
    expect(res.status()).toBe(303);
    expect(here(page)).toBe('/account?notice=password_changed');
    expect(await page.getByRole('status').textContent()).toBe('Your password was changed, and every other session was logged out.');
    expect(await meStatus(worker.origin, api.accessToken)).toBe(401);

    await logOutInPage(page);
    const old = await logInInPage(page, worker.origin, user.username, user.password);
    expect(old.status()).toBe(400);
    expect(await alertText(page)).toBe(LOGIN_REFUSED);
    const fresh = await logInInPage(page, worker.origin, user.username, NEW_PASSWORD);
    expect(fresh.status()).toBe(303);
    expect(here(page)).toBe('/account');
    await expectClean(tp);
  });

  it('shows a wrong current password on its field', async () => {
    const { page } = await signedIn();
    await field(page, 'Current password').fill('not my password at all');
    await field(page, 'New password').fill(NEW_PASSWORD);
    const res = await submit(page, button(page, 'Change password'));
    expect(res.status()).toBe(422);
    expect(await field(page, 'Current password').getAttribute('aria-invalid')).toBe('true');
    expect(await descriptionOf(field(page, 'Current password'))).toEqual(['is incorrect']);
  });

  it('uploads a PNG: "waiting for review" (the manual recognizer), and the photo shows as an image that loads', async () => {
    const tp = await signedIn();
    const { page } = tp;
    expect(await region(page, 'Photo').textContent()).toContain('none yet');
    expect(await page.getByRole('img').count()).toBe(0);
    const photoLoaded = page.waitForResponse((r) => new URL(r.url()).pathname === '/account/photo' && r.request().method() === 'GET');
    const res = await uploadPhoto(page, { name: 'me.png', mimeType: 'image/png', buffer: TINY_PNG });
    expect(res.status()).toBe(303);
    expect(here(page)).toBe('/account?notice=photo_pending');
    expect(await page.getByRole('status').textContent()).toBe('Your photo is waiting for review.');
    expect(await region(page, 'Photo').textContent()).toContain('waiting for review');
    const photo = await photoLoaded;
    expect(photo.status()).toBe(200);
    expect(photo.headers()['content-type']).toBe('image/png');
    expect(Buffer.from(await photo.body())).toEqual(TINY_PNG);
    expect(await naturalWidth(page)).toBe(1);
    await expectClean(tp);
  });

  it('deletes the account only with the right password, then lands on /login and the user cannot log in', async () => {
    const tp = await signedIn();
    const { page, user } = tp;
    const password = field(page, 'Your password, to confirm');
    await password.fill('not my password at all');
    const wrong = await submit(page, button(page, 'Delete my account'));
    expect(wrong.status()).toBe(422);
    expect(await alertText(page)).toBe('That did not work; the form below says why.');
    expect(await password.getAttribute('aria-invalid')).toBe('true');
    expect(await descriptionOf(password)).toEqual(['is incorrect']);
    expect(await sessionCookie(tp)).toBeDefined();

    await password.fill(user.password);
    const right = await submit(page, button(page, 'Delete my account'));
    expect(right.status()).toBe(303);
    expect(here(page)).toBe('/login?notice=deleted');
    expect(await page.getByRole('status').textContent()).toBe('Your account and everything about it were deleted.');
    expect(await sessionCookie(tp)).toBeUndefined();
    const again = await logInInPage(page, worker.origin, user.username, user.password);
    expect(again.status()).toBe(400);
    expect(await alertText(page)).toBe(LOGIN_REFUSED);
    await expectClean(tp);
  });
});

describe('a form posted from another site', () => {
  /** The attacker's site: another origin (another port of 127.0.0.1), serving `attackerPage`. */
  let attacker: Server;
  let attackerPage = '';
  let attackerOrigin = '';
  beforeAll(async () => {
    attacker = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(attackerPage));
    await new Promise<void>((done) => attacker.listen(0, '127.0.0.1', done));
    attackerOrigin = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((done) => attacker.close(() => done()));
  });

  /** A page that, with one click, posts the victim's profile form to the worker. */
  const trap = (fields: Record<string, string>) =>
    `<!doctype html><html lang="en"><title>You won!</title><form method="post" action="${worker.url('/account/profile')}">${Object.entries(fields)
      .map(([name, value]) => `<input type="hidden" name="${name}" value="${value}">`)
      .join('')}<button>Claim your prize</button></form></html>`;

  it('is refused with 403 and changes nothing, even with the victim’s CSRF token, while the victim is signed in in the same browser', async () => {
    const tp = await signedIn();
    const { page, user } = tp;
    await saveCity(page, 'Lisbon');
    const leaked = await page.locator('form[action="/account/profile"] input[name="csrf"]').inputValue();

    const attempts: { what: string; fields: Record<string, string> }[] = [
      { what: 'without a token', fields: { username: user.username, city: 'Hacked' } },
      { what: 'with the leaked token', fields: { csrf: leaked, username: user.username, city: 'Hacked' } },
    ];
    for (const { what, fields } of attempts) {
      attackerPage = trap(fields);
      await page.goto(attackerOrigin);
      expect(await page.title()).toBe('You won!');
      const res = await submit(page, button(page, 'Claim your prize'));
      expect(res.status(), what).toBe(403);
      // The browser did send the session cookie (same site, other origin: SameSite=Lax lets it through) …
      expect(await res.request().headerValue('cookie'), what).toContain('__Host-session=');
      // (Sec-Fetch-Site, when Chromium adds it, would say same-site: either way not same-origin.)
      expect(await res.request().headerValue('origin'), what).toBe(attackerOrigin);
      // … and the worker answered with its 403 page.
      expect(page.url(), what).toBe(worker.url('/account/profile'));
      expect(await page.getByRole('heading', { level: 1 }).textContent(), what).toBe('That is not allowed');
      expect(await page.getByRole('main').textContent(), what).toContain('did not come from this site');
    }

    await page.goto(worker.url('/account'));
    expect(here(page)).toBe('/account');
    await page.getByText('Edit profile', { exact: true }).click();
    expect(await field(page, 'City (optional)').inputValue()).toBe('Lisbon');
    expect(await region(page, 'Profile').textContent()).toContain(user.username);
    await expectClean(tp);
  });
});

describe('accessibility (axe-core: no serious or critical violation at 320 and 1280 px), no CSP violation, nothing blocked', () => {
  it('/account with a photo, sessions, login records and activity', async () => {
    const tp = await signedIn({ name: 'Grace', surname: 'Hopper' });
    const { page, user } = tp;
    await saveCity(page, 'Arlington');
    expect((await uploadPhoto(page, { name: 'portrait.png', mimeType: 'image/png', buffer: portraitPng() })).status()).toBe(303);
    await apiLogin(worker.origin, user);
    await logOutInPage(page);
    await logInInPage(page, worker.origin, user.username, user.password, { remember: true });
    // A failed login shows in the security activity.
    const other = await browser.newPage();
    await logInInPage(other.page, worker.origin, user.username, 'not my password at all');
    await page.reload();
    expect(await sessionItems(page).count()).toBe(2);
    expect(await loginItems(page).count()).toBe(3);
    expect(await naturalWidth(page)).toBe(96);

    await checkAxeAtBothWidths(page, worker.url('/account'));
    await expectClean(tp);
    await screenshot(page, 'account');
  });

  it('an error page: the 404 of a session that was logged out in another tab', async () => {
    const tp = await signedIn();
    const { page, context, user } = tp;
    await apiLogin(worker.origin, user);
    await page.reload();
    // A second tab of the same browser logs the API session out first.
    const tab = await context.newPage();
    await tab.goto(worker.url('/account'));
    await submit(tab, sessionItems(tab).filter({ hasText: /API/ }).getByRole('button', { name: 'Log out this session' }));
    await tab.close();

    const res = await submit(page, sessionItems(page).filter({ hasText: /API/ }).getByRole('button', { name: 'Log out this session' }));
    expect(res.status()).toBe(404);
    expect(res.headers()['content-type']).toMatch(/^text\/html/);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Page not found');
    await screenshot(page, 'error');
    await checkThisPage(tp, 'the 404 of a stale revoke');
  });

  it('an error page: GET /account/nope', async () => {
    const tp = await signedIn();
    const { page } = tp;
    const res = await page.goto(worker.url('/account/nope'));
    expect(res?.status()).toBe(404);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Page not found');
    await checkAxeAtBothWidths(page, worker.url('/account/nope'));
    await expectClean(tp);
  });
});
