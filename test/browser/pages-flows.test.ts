import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { generateMfaKey } from '../../scripts/generate-mfa-key';
import { checkAxeAtBothWidths } from './harness/axe';
import { type TestPage, useBrowser } from './harness/browser';
import { screenshot } from './harness/screenshots';
import { useWorker } from './harness/server';
import { newUser, signUp, type TestUser } from './harness/users';
import {
  alertText,
  button,
  checkThisPage,
  expectClean,
  field,
  here,
  linkInMessageTo,
  logInInPage,
  logOutInPage,
  sessionCookie,
  signUpInPage,
  submit,
} from './pages-helpers';
import { currentStep, totpCode } from './totp';

/**
 * The second factor and the email flows in a real browser, as a person does them: two-step
 * verification set up from /account with a key read off the page and a code computed here
 * (RFC 6238, test/browser/totp.ts), then the login's code step with an app code and with a
 * recovery code; a forgotten password and an email change through the links of the messages
 * `wrangler dev` writes to disk; axe at 320 and 1280 px on each of those pages. The HTTP-level
 * rules are test/routes/pages-mfa.test.ts and pages-email.test.ts.
 *
 * IP_RATE_LIMIT off: every request comes from 127.0.0.1, and this file signs up and logs in more
 * than the per-IP limiters allow in a minute. PUBLIC_URL is the worker's own origin, so the
 * links in the messages open on it. MFA_ENCRYPTION_KEY: without it enrolment answers 503.
 */
const worker = useWorker({
  vars: (origin) => ({ IP_RATE_LIMIT: 'off', PUBLIC_URL: origin }),
  secrets: { MFA_ENCRYPTION_KEY: generateMfaKey('browser') },
});
const browser = useBrowser();

const CODE_LABEL = 'Code from your authenticator app, or a recovery code';
const CODE_REFUSED = 'That code did not work. Check your authenticator app, or use a recovery code.';
const LOGIN_REFUSED = 'The username, email or password is not right.';
const NEW_PASSWORD = 'Copper lantern meadow 4471 drift';
const RECOVERY_CODE = /^[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}$/;

const region = (page: Page, name: string) => page.getByRole('region', { name, exact: true });
const form = (page: Page, name: string) => page.getByRole('form', { name, exact: true });

/** A user signed up from /signup in a fresh page, which is left on /account. */
async function signedIn(overrides: Partial<TestUser> = {}) {
  const tp = await browser.newPage();
  const user = newUser(overrides);
  await signUpInPage(tp.page, worker.origin, user);
  return { ...tp, user };
}

/** From /account: "Set up with an authenticator app" with the password; the enrolment page's key (base32, no spaces). */
async function startSetUp(page: Page, user: TestUser): Promise<string> {
  await field(page, 'Your password, to begin').fill(user.password);
  const res = await submit(page, button(page, 'Set up with an authenticator app'));
  expect(res.status()).toBe(200);
  expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Set up two-step verification');
  const shown = (await page.locator('code.secret').textContent())!.replace(/\s/g, '');
  // The key as text is the key the form carries (and the QR code encodes).
  expect(shown).toBe(await page.locator('input[name="secret"]').inputValue());
  expect(shown).toMatch(/^[A-Z2-7]{32}$/);
  return shown;
}

/** On the enrolment page: the app's current code, "Turn on"; the ten recovery codes shown. */
async function turnOn(page: Page, secret: string): Promise<string[]> {
  await field(page, '6-digit code').fill(totpCode(secret));
  const res = await submit(page, button(page, 'Turn on'));
  expect(res.status()).toBe(200);
  expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Two-step verification is on');
  const codes = (await region(page, 'Your recovery codes').getByRole('listitem').allTextContents()).map((t) => t.trim());
  expect(codes).toHaveLength(10);
  for (const code of codes) expect(code).toMatch(RECOVERY_CODE);
  expect(new Set(codes).size).toBe(10);
  return codes;
}

/** A user with two-step verification on, logged out, in a fresh page: its key and recovery codes. */
async function userWithSecondFactor() {
  const tp = await signedIn();
  const secret = await startSetUp(tp.page, tp.user);
  const codes = await turnOn(tp.page, secret);
  await logOutInPage(tp.page);
  return { ...tp, secret, codes };
}

/** A 6-digit code no step near now has (the server accepts one step either way). */
function wrongCode(secret: string): string {
  const near = new Set([-1, 0, 1, 2].map((d) => totpCode(secret, currentStep() + d)));
  for (let n = 0; ; n++) {
    const candidate = String(n * 111_111 + 123_456)
      .slice(-6)
      .padStart(6, '0');
    if (!near.has(candidate)) return candidate;
  }
}

/** The password step for a user with a second factor: the code page (200, still /login, no session yet). */
async function toCodePage(tp: TestPage, user: TestUser) {
  const res = await logInInPage(tp.page, worker.origin, user.username, user.password);
  expect(res.status()).toBe(200);
  expect(here(tp.page)).toBe('/login');
  expect(await tp.page.getByRole('heading', { level: 1 }).textContent()).toBe('Two-step verification');
  expect((await tp.context.cookies()).map((c) => c.name)).not.toContain('__Host-session');
}

describe('two-step verification', () => {
  it('is set up on /account with a code of the key shown, then the login asks for a code: a wrong one is refused, the app’s and a recovery code get in', async () => {
    const tp = await signedIn();
    const { page, user } = tp;
    expect(await region(page, 'Two-step verification').textContent()).toContain('Off.');
    const secret = await startSetUp(page, user);
    expect(await page.getByRole('img', { name: 'QR code of the key below' }).locator('svg').count()).toBe(1);
    const codes = await turnOn(page, secret);
    await page.goto(worker.url('/account'));
    expect(await region(page, 'Two-step verification').textContent()).toContain('On authenticator app');
    await logOutInPage(page);

    await toCodePage(tp, user);
    const code = field(page, CODE_LABEL);
    expect(await code.getAttribute('autocomplete')).toBe('one-time-code');
    await code.fill(wrongCode(secret));
    const wrong = await submit(page, button(page, 'Verify'));
    expect(wrong.status()).toBe(400);
    expect(await alertText(page)).toBe(CODE_REFUSED);
    expect(await sessionCookie(tp)).toBeUndefined();

    // The next step's code: the step used at activation cannot be used again (no replay).
    await field(page, CODE_LABEL).fill(totpCode(secret, currentStep() + 1));
    const right = await submit(page, button(page, 'Verify'));
    expect(right.status()).toBe(303);
    expect(here(page)).toBe('/account');
    expect(await sessionCookie(tp)).toBeDefined();
    expect(await region(page, 'Two-step verification').textContent()).toContain('On authenticator app');
    await logOutInPage(page);

    await toCodePage(tp, user);
    await field(page, CODE_LABEL).fill(codes[3]!);
    const recovery = await submit(page, button(page, 'Verify'));
    expect(recovery.status()).toBe(303);
    expect(here(page)).toBe('/account');
    expect(await region(page, 'Recent security activity').textContent()).toContain('recovery code');
    await logOutInPage(page);

    // That recovery code is spent.
    await toCodePage(tp, user);
    await field(page, CODE_LABEL).fill(codes[3]!);
    expect((await submit(page, button(page, 'Verify'))).status()).toBe(400);
    expect(await alertText(page)).toBe(CODE_REFUSED);
    expect(await sessionCookie(tp)).toBeUndefined();
    await expectClean(tp);
  });
});

describe('forgotten password', () => {
  it('from "Forgot your password?" on /login: the link in the message opens a form, and the new password logs in while the old one fails', async () => {
    const user = await signUp(worker.origin);
    const tp = await browser.newPage();
    const { page } = tp;
    await page.goto(worker.url('/login'));
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.waitForLoadState('load');
    expect(here(page)).toBe('/forgot-password');
    await field(page, 'Email').fill(user.email);
    const sent = await submit(page, button(page, 'Send the link'));
    expect(sent.status()).toBe(200);
    expect(await page.getByRole('status').textContent()).toMatch(/^If an account uses that address, a link/);

    const link = await linkInMessageTo(user.email, '/reset-password');
    expect(link.startsWith(`${worker.origin}/reset-password?token=`)).toBe(true);
    await page.goto(link);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Choose a new password');
    await field(page, 'New password').fill(NEW_PASSWORD);
    const reset = await submit(page, button(page, 'Set the new password'));
    expect(reset.status()).toBe(303);
    expect(here(page)).toBe('/login?notice=password_reset');
    expect(await page.getByRole('status').textContent()).toContain('Log in with the new one.');

    const old = await logInInPage(page, worker.origin, user.username, user.password);
    expect(old.status()).toBe(400);
    expect(await alertText(page)).toBe(LOGIN_REFUSED);
    const fresh = await logInInPage(page, worker.origin, user.email, NEW_PASSWORD);
    expect(fresh.status()).toBe(303);
    expect(here(page)).toBe('/account');

    // The link worked once.
    await page.goto(link);
    await field(page, 'New password').fill(`${NEW_PASSWORD} again`);
    expect((await submit(page, button(page, 'Set the new password'))).status()).toBe(400);
    await expectClean(tp);
  });
});

describe('email change', () => {
  it('on /account with the password: the link sent to the new address, its button pressed, and /account shows the new address', async () => {
    const tp = await signedIn();
    const { page, user } = tp;
    const newEmail = `new_${user.username}@example.org`;
    await page.getByText('Change the address', { exact: true }).click();
    const change = form(page, 'Change the email address');
    await change.getByLabel('New address', { exact: true }).fill(newEmail);
    await change.getByLabel('Your password', { exact: true }).fill(user.password);
    const res = await submit(page, button(page, 'Send a confirmation to the new address'));
    expect(res.status()).toBe(303);
    expect(here(page)).toBe('/account?notice=email_change_sent');
    // Nothing changes until the link is used.
    expect(await region(page, 'Email address').textContent()).toContain(user.email);

    const link = await linkInMessageTo(newEmail, '/verify-email');
    expect(link.startsWith(`${worker.origin}/verify-email?token=`)).toBe(true);
    await page.goto(link);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Confirm your email address');
    const confirmed = await submit(page, button(page, 'Confirm'));
    expect(confirmed.status()).toBe(200);
    expect(await page.getByRole('status').textContent()).toBe('Your email address is changed.');

    await page.getByRole('link', { name: 'Go to your account' }).click();
    await page.waitForLoadState('load');
    expect(here(page)).toBe('/account');
    const email = await region(page, 'Email address').textContent();
    expect(email).toContain(`${newEmail} (confirmed)`);
    expect(email).not.toContain(user.email);
    expect(await region(page, 'Profile').textContent()).toContain(newEmail);
    await expectClean(tp);
  });
});

describe('accessibility (axe-core: no serious or critical violation at 320 and 1280 px), no CSP violation, nothing blocked', () => {
  it('the login’s code page with the wrong-code message', async () => {
    const tp = await userWithSecondFactor();
    await toCodePage(tp, tp.user);
    await field(tp.page, CODE_LABEL).fill(wrongCode(tp.secret));
    expect((await submit(tp.page, button(tp.page, 'Verify'))).status()).toBe(400);
    expect(await alertText(tp.page)).toBe(CODE_REFUSED);
    await screenshot(tp.page, 'login-code');
    await checkThisPage(tp, 'the code page with the wrong-code message');
  });

  it('the enrolment page (QR code, key, code field)', async () => {
    const tp = await signedIn();
    await startSetUp(tp.page, tp.user);
    await screenshot(tp.page, 'mfa-setup');
    await checkThisPage(tp, 'the enrolment page');
  });

  it('the recovery codes page', async () => {
    const tp = await signedIn();
    await turnOn(tp.page, await startSetUp(tp.page, tp.user));
    await screenshot(tp.page, 'recovery-codes');
    await checkThisPage(tp, 'the recovery codes page');
  });

  it('/account with two-step verification on', async () => {
    const tp = await signedIn();
    await turnOn(tp.page, await startSetUp(tp.page, tp.user));
    await checkAxeAtBothWidths(tp.page, worker.url('/account'));
    expect(await region(tp.page, 'Two-step verification').textContent()).toContain('On authenticator app');
    await expectClean(tp);
  });

  it('/forgot-password after a request', async () => {
    const tp = await browser.newPage();
    await tp.page.goto(worker.url('/forgot-password'));
    await field(tp.page, 'Email').fill(`nobody_${crypto.randomUUID().slice(0, 8)}@example.com`);
    expect((await submit(tp.page, button(tp.page, 'Send the link'))).status()).toBe(200);
    expect(await tp.page.getByRole('status').count()).toBe(1);
    await screenshot(tp.page, 'forgot-password');
    await checkThisPage(tp, '/forgot-password after a request');
  });

  it('/reset-password (the link’s form)', async () => {
    const user = await signUp(worker.origin);
    const tp = await browser.newPage();
    await tp.page.goto(worker.url('/forgot-password'));
    await field(tp.page, 'Email').fill(user.email);
    await submit(tp.page, button(tp.page, 'Send the link'));
    const link = await linkInMessageTo(user.email, '/reset-password');
    await checkAxeAtBothWidths(tp.page, link);
    await expectClean(tp);
    await screenshot(tp.page, 'reset-password');
  });

  it('/verify-email (the link of the sign-up’s message)', async () => {
    const user = await signUp(worker.origin);
    const tp = await browser.newPage();
    await checkAxeAtBothWidths(tp.page, await linkInMessageTo(user.email, '/verify-email'));
    expect(await button(tp.page, 'Confirm').count()).toBe(1);
    await expectClean(tp);
  });
});
