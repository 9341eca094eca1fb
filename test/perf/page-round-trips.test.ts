import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { body, get } from '../helpers/api';
import { countingD1, UNSEEN } from '../helpers/d1-counter';
import { createUser, login, PASSWORD } from '../helpers/factories';
import { PNG } from '../helpers/images';
import { plantToken } from '../helpers/email';
import { codeFor, forgetLastStep, mfaUser } from '../helpers/mfa';
import { PageClient } from '../helpers/pages';

/**
 * D1 round trips of the pages, like test/perf/round-trips.test.ts for the API: the same budgets as
 * the JSON operation each form calls (one; two where PBKDF2 or R2 must wait for the caller), and
 * every change a signed-in page sends carries the caller's guard. /account renders in one.
 */
const counter = countingD1(env.DB);
const countedEnv = { ...env, DB: counter.db };
const CALLER_GUARD = '"cu"';
const isChange = (sql: string) => /^(insert|update|delete)\b/i.test(sql.trim());

interface PageCase {
  name: string;
  budget: number;
  /** Without a signed-in caller: its writes have no guard to carry. */
  noCaller?: boolean;
  /** A GET that still writes (the session's slide): the guard check must see that change. */
  writes?: boolean;
  /** Sets up outside the count; returns the counted request. */
  run: () => Promise<(b: PageClient) => Promise<{ res: Response }>>;
}

/** A browser signed in through the uncounted worker, then switched to the counted D1. */
async function signedIn() {
  const user = await createUser();
  const b = new PageClient();
  await b.logIn(user.username, user.password);
  await b.get('/account');
  return { user, b };
}

const counted = (b: PageClient) => new PageClient({ env: countedEnv }).adopt(b);

let current: { user: Awaited<ReturnType<typeof createUser>>; b: PageClient };

/** Two-step verification turned on for the current user through the pages (outside the count); its key, the step free again. */
async function pageEnrolment(): Promise<string> {
  const { html } = await current.b.post('/account/mfa/setup', { current_password: current.user.password });
  const secret = /name="secret" value="([A-Z2-7]+)"/.exec(html)![1]!;
  await current.b.post('/account/mfa/activate', { code: await codeFor(secret), secret, username: current.user.username });
  await forgetLastStep(current.user.uuid);
  return secret;
}

const CASES: PageCase[] = [
  { name: 'GET /login', budget: 0, noCaller: true, run: async () => (b) => b.get('/login') },
  { name: 'GET /signup', budget: 0, noCaller: true, run: async () => (b) => b.get('/signup') },
  { name: 'GET /pages.css', budget: 0, noCaller: true, run: async () => (b) => b.get('/pages.css') },
  {
    name: 'POST /login (the read, then the writes once PBKDF2 has run)',
    budget: 2,
    noCaller: true,
    run: async () => {
      const user = await createUser();
      return async (b) => {
        const page = new PageClient();
        await page.get('/login');
        b.adopt(page);
        return b.post('/login', { username: user.username, password: user.password });
      };
    },
  },
  {
    name: 'POST /signup (the sign-up, then the browser session)',
    budget: 2,
    noCaller: true,
    run: async () => async (b) => {
      const page = new PageClient();
      await page.get('/signup');
      b.adopt(page);
      const name = `rt${crypto.randomUUID().slice(0, 8)}`;
      return b.post('/signup', { username: name, email: `${name}@example.com`, password: PASSWORD, confirm_password: PASSWORD, name: 'R', surname: 'T' });
    },
  },
  { name: 'GET /account', budget: 1, run: async () => (b) => b.get('/account') },
  {
    name: 'GET /account (sliding the session in the same batch)',
    budget: 1,
    writes: true,
    run: async () => {
      await env.DB.prepare('update sessions set last_used_at = last_used_at - 120000 where id = ?')
        .bind(current.b.cookies.get('__Host-session')!.split('.')[0])
        .run();
      return (b) => b.get('/account');
    },
  },
  { name: 'POST /account/profile', budget: 1, run: async () => (b) => b.post('/account/profile', { username: current.user.username, city: 'Faro' }) },
  {
    name: 'POST /account/password (caller and attempt count, then the write after PBKDF2)',
    budget: 2,
    run: async () => (b) => b.post('/account/password', { current_password: current.user.password, new_password: 'Another long unusual passphrase 55' }),
  },
  {
    name: 'POST /account/sessions/{id}/revoke',
    budget: 1,
    run: async () => {
      const api = await login(current.user);
      const sessions = await body<{ items: { id: string }[] }>(await get('/user/me/sessions', { token: api.access }));
      const other = sessions.items.find((s) => s.id !== current.b.cookies.get('__Host-session')!.split('.')[0])!;
      return (b) => b.post(`/account/sessions/${other.id}/revoke`, {});
    },
  },
  {
    name: 'POST /account/photo (the caller before R2)',
    budget: 2,
    run: async () => (b) => b.post('/account/photo', { file: new File([PNG], 'me.png', { type: 'image/png' }) }, { multipart: true }),
  },
  {
    name: 'GET /account/photo',
    budget: 1,
    run: async () => {
      await current.b.post('/account/photo', { file: new File([PNG], 'me.png', { type: 'image/png' }) }, { multipart: true });
      return async (b) => ({ res: await b.fetch('/account/photo') });
    },
  },
  {
    name: 'POST /account/delete (caller and password, then the erasure after R2)',
    budget: 2,
    run: async () => (b) => b.post('/account/delete', { current_password: current.user.password }),
  },
  { name: 'POST /logout', budget: 1, run: async () => (b) => b.post('/logout', {}) },
  {
    name: 'POST /login/code (the challenge claimed and read, then the session once the code is checked)',
    budget: 2,
    noCaller: true,
    run: async () => {
      const user = await mfaUser();
      const page = new PageClient();
      const { html } = await page.logIn(user.username, user.password);
      const token = /name="mfa_token" value="([^"]+)"/.exec(html)![1]!;
      return async (b) => {
        b.adopt(page);
        return b.post('/login/code', { mfa_token: token, code: await codeFor(user.secret) });
      };
    },
  },
  {
    name: 'POST /account/mfa/setup (caller and attempt count, then the pending seed after PBKDF2)',
    budget: 2,
    run: async () => (b) => b.post('/account/mfa/setup', { current_password: current.user.password }),
  },
  {
    name: 'POST /account/mfa/activate (the sealed seed, then the activation)',
    budget: 2,
    run: async () => {
      const { html } = await current.b.post('/account/mfa/setup', { current_password: current.user.password });
      const secret = /name="secret" value="([A-Z2-7]+)"/.exec(html)![1]!;
      const code = await codeFor(secret);
      return (b) => b.post('/account/mfa/activate', { code, secret, username: current.user.username });
    },
  },
  {
    name: 'POST /account/mfa/disable (caller, password and seed, then the removal after PBKDF2 and the code)',
    budget: 2,
    run: async () => {
      const secret = await pageEnrolment();
      return async (b) => b.post('/account/mfa/disable', { current_password: current.user.password, code: await codeFor(secret) });
    },
  },
  {
    name: 'POST /account/mfa/recovery-codes (the seed, then the new codes once the code is checked)',
    budget: 2,
    run: async () => {
      const secret = await pageEnrolment();
      return async (b) => b.post('/account/mfa/recovery-codes', { code: await codeFor(secret) });
    },
  },
  {
    name: 'POST /forgot-password (the count before the answer; the link after it)',
    budget: 2,
    noCaller: true,
    run: async () => async (b) => {
      const page = new PageClient();
      await page.get('/forgot-password');
      b.adopt(page);
      return b.post('/forgot-password', { email: current.user.email });
    },
  },
  { name: 'GET /reset-password', budget: 0, noCaller: true, run: async () => (b) => b.get(`/reset-password?token=${'A'.repeat(43)}`) },
  {
    name: 'POST /reset-password (the token and its user, then the change after PBKDF2)',
    budget: 2,
    noCaller: true,
    run: async () => {
      const token = await plantToken(current.user, 'reset');
      return async (b) => {
        const page = new PageClient();
        await page.get(`/reset-password?token=${token}`);
        b.adopt(page);
        return b.post('/reset-password', { token, new_password: 'Another long unusual passphrase 77' });
      };
    },
  },
  {
    name: 'POST /verify-email',
    budget: 1,
    noCaller: true,
    run: async () => {
      const token = await plantToken(current.user, 'verify');
      return async (b) => {
        const page = new PageClient();
        await page.get(`/verify-email?token=${token}`);
        b.adopt(page);
        return b.post('/verify-email', { token });
      };
    },
  },
  {
    name: 'POST /account/email (caller and password, then the link after PBKDF2)',
    budget: 2,
    run: async () => (b) => b.post('/account/email', { email: `new-${current.user.username}@example.com`, current_password: current.user.password }),
  },
  { name: 'POST /account/email/verification', budget: 1, run: async () => (b) => b.post('/account/email/verification', {}) },
];

describe('D1 round trips of the pages', () => {
  for (const c of CASES) {
    it(`${c.name} makes ${c.budget} round trip${c.budget === 1 ? '' : 's'}${c.noCaller ? '' : ', every change guarded'}`, async () => {
      current = await signedIn();
      const send = await c.run();
      const b = counted(current.b);
      counter.reset();
      const { res } = await send(b);
      expect(res.status, c.name).toBeLessThan(400);
      expect(counter.count()).toBe(c.budget);
      if (c.noCaller) return;
      const sent = counter.sent();
      expect(sent).not.toContain(UNSEEN);
      if (c.writes || !c.name.startsWith('GET ')) expect(sent.some(isChange), 'the case sends a change').toBe(true);
      expect(sent.filter((sql) => isChange(sql) && !sql.includes(CALLER_GUARD))).toEqual([]);
    });
  }
});
