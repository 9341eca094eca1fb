/// <reference lib="dom" />
// The functions passed to page.evaluate() run in the page: they use the DOM's globals.
/**
 * What the pages' browser tests (pages-*.test.ts) do as a person would: fill labelled fields,
 * press buttons by their name, and see where the browser lands and with which status.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { crc32, deflateSync } from 'node:zlib';
import type { Locator, Page, Request, Response } from 'playwright-core';
import { expect } from 'vitest';
import { LOCAL_EMAIL_DIR, localMessagesMentioning } from '../../scripts/lib/local-mail';
import { expectNoSeriousViolations } from './harness/axe';
import type { TestPage } from './harness/browser';
import type { TestUser } from './harness/users';
import { VIEWPORT_HEIGHT, WIDTHS } from './harness/widths';

/** A label matched exactly ("Password" is not "Repeat the password"). */
export const field = (page: Page, label: string) => page.getByLabel(label, { exact: true });
export const button = (page: Page, name: string) => page.getByRole('button', { name, exact: true });

/**
 * Presses `button` and returns the response of the form POST it sends (before any redirect is
 * followed), once the page it leads to has loaded: its status and headers are what the browser got.
 */
export async function submit(page: Page, target: Locator): Promise<Response> {
  const isFormPost = (req: Request) => req.isNavigationRequest() && req.method() === 'POST' && req.frame() === page.mainFrame();
  let stop = () => {};
  // The POST's response, or why there is none (a redirect the page's CSP refuses, say: then
  // Chromium reports the request failed, and never a response).
  const posted = new Promise<Response>((resolve, reject) => {
    const onResponse = (res: Response) => isFormPost(res.request()) && resolve(res);
    const onFailed = (req: Request) => isFormPost(req) && reject(new Error(`the form's POST ${req.url()} failed: ${req.failure()?.errorText}`));
    const timer = setTimeout(() => reject(new Error('no answer to the form within 30 s')), 30_000);
    page.on('response', onResponse);
    page.on('requestfailed', onFailed);
    stop = () => {
      clearTimeout(timer);
      page.off('response', onResponse);
      page.off('requestfailed', onFailed);
    };
  });
  try {
    await target.click();
    const res = await posted;
    await page.waitForLoadState('load');
    return res;
  } finally {
    stop();
  }
}

/** The path and query the page is on now. */
export const here = (page: Page) => {
  const url = new URL(page.url());
  return url.pathname + url.search;
};

/** Fills /signup's form (the page must be on it) with `user`'s details, leaving the optional fields empty. */
export async function fillSignUp(page: Page, user: Pick<TestUser, 'username' | 'email' | 'password' | 'name' | 'surname'> & { confirm?: string }) {
  await field(page, 'Username').fill(user.username);
  await field(page, 'Email').fill(user.email);
  await field(page, 'Password').fill(user.password);
  await field(page, 'Repeat the password').fill(user.confirm ?? user.password);
  await field(page, 'First name').fill(user.name);
  await field(page, 'Surname').fill(user.surname);
}

/** Signs `user` up from /signup and waits for /account. */
export async function signUpInPage(page: Page, origin: string, user: TestUser): Promise<void> {
  await page.goto(`${origin}/signup`);
  await fillSignUp(page, user);
  const res = await submit(page, button(page, 'Create account'));
  expect(res.status()).toBe(303);
  expect(here(page)).toBe('/account?notice=welcome');
}

/** Fills /login's form (loaded from `path`) and presses "Log in"; returns the POST's response. */
export async function logInInPage(page: Page, origin: string, login: string, password: string, { path = '/login', remember = false } = {}) {
  await page.goto(`${origin}${path}`);
  await field(page, 'Username or email').fill(login);
  await field(page, 'Password').fill(password);
  if (remember) await page.getByLabel('Remember me on this device').check();
  return submit(page, button(page, 'Log in'));
}

/** The header's "Log out" button (POST /logout). */
export const logOutInPage = (page: Page) => submit(page, button(page, 'Log out'));

/** The text of the page's alert (the message above a form), or null. */
export const alertText = async (page: Page) =>
  (await page.getByRole('alert').count()) > 0 ? (await page.getByRole('alert').first().textContent())?.trim() : null;

/** The texts an input's aria-describedby points at (its hint, its error). */
export const descriptionOf = (input: Locator) =>
  input.evaluate((el) =>
    (el.getAttribute('aria-describedby') ?? '')
      .split(' ')
      .filter(Boolean)
      .map((id) => document.getElementById(id)?.textContent?.trim() ?? `(no #${id})`),
  );

/** The session cookie as this browser context stores it, or undefined. */
export const sessionCookie = async (tp: TestPage) => (await tp.context.cookies()).find((c) => c.name === '__Host-session');

/**
 * The page as it is now (no reload: a POST's answer cannot be loaded again) at 320 and 1280 px:
 * no serious or critical axe violation at either width, nothing blocked, no CSP violation.
 */
export async function checkThisPage(tp: TestPage, label: string): Promise<void> {
  const before = tp.page.viewportSize();
  for (const width of WIDTHS) {
    await tp.page.setViewportSize({ width, height: VIEWPORT_HEIGHT });
    await expectNoSeriousViolations(tp.page, { label: `${label} at ${width} px` });
  }
  if (before) await tp.page.setViewportSize(before);
  await expectClean(tp);
}

/** Nothing the page did left the machine or broke its CSP. */
export async function expectClean(tp: TestPage): Promise<void> {
  expect(tp.blocked).toEqual([]);
  expect(await tp.cspViolations()).toEqual([]);
  expect(tp.errors).toEqual([]);
}

/** An access token (and its session) from the JSON API's password grant, as a program gets one. */
export async function apiLogin(origin: string, user: Pick<TestUser, 'username' | 'password'>): Promise<{ accessToken: string }> {
  const res = await fetch(`${origin}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', username: user.username, password: user.password }),
  });
  if (res.status !== 200) throw new Error(`POST /token answered ${res.status}: ${await res.text()}`);
  const body = (await res.json()) as { access_token: string };
  return { accessToken: body.access_token };
}

/** `GET /user/me` with a bearer token: its status. */
export const meStatus = async (origin: string, accessToken: string) =>
  (await fetch(`${origin}/user/me`, { headers: { authorization: `Bearer ${accessToken}` } })).status;

/** The 1×1 PNG of test/helpers/images.ts (one half-transparent blue pixel). */
export const TINY_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

/**
 * A small real PNG (96 × 96 RGB, a few hundred bytes): a head-and-shoulders shape, so the photo on
 * the account page's screenshot looks like a photo slot rather than one stretched pixel.
 */
export function portraitPng(size = 96): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const rows: Buffer[] = [];
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 3);
    for (let x = 0; x < size; x++) {
      const head = (x - size / 2) ** 2 + (y - size * 0.38) ** 2 < (size * 0.2) ** 2;
      const shoulders = y > size * 0.66 && (x - size / 2) ** 2 / (size * 0.38) ** 2 + (y - size) ** 2 / (size * 0.34) ** 2 < 1;
      const [r, g, b] = head || shoulders ? [0x5b, 0x6b, 0x80] : [0xd9, 0xe2, 0xee];
      row.set([r, g, b], 1 + x * 3);
    }
    rows.push(row);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, deflate, no filter method beyond 0, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/**
 * The link to `path` (`/reset-password`, `/verify-email`) in a message that mentions `address`
 * (a unique one per test), waiting for it: messages are sent after the response (waitUntil).
 * The link is absolute (PUBLIC_URL's). Fails when there are two different ones: which is newer
 * cannot be told from the files, so a test asks for one message per address and kind.
 */
export async function linkInMessageTo(address: string, path: '/reset-password' | '/verify-email'): Promise<string> {
  const link = new RegExp(`\\bhttps?://\\S+${path}\\?token=[A-Za-z0-9_-]+`, 'g');
  for (let i = 0; i < 100; i++) {
    const found = [...new Set(localMessagesMentioning(address).flatMap((text) => text.match(link) ?? []))];
    if (found.length > 1) throw new Error(`${found.length} messages mentioning ${address} have a ${path} link`);
    if (found.length === 1) return found[0]!;
    await sleep(100);
  }
  throw new Error(`no message mentioning ${address} with a ${path} link under ${LOCAL_EMAIL_DIR}`);
}
