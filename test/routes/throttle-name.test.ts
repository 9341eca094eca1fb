import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { post } from '../helpers/api';
import { createUser } from '../helpers/factories';
import { insertThrottleRow } from '../helpers/throttle';
import { BAD_CREDENTIALS } from '../../src/routes/token/token.errors';

// Per-login-name throttling (src/services/throttle.ts): the first 4 consecutive failures are
// free, every failure from the 5th blocks the name for 1 s doubling to 15 min.

const grant = (username: string, password: string) => post('/token', { form: { grant_type: 'password', username, password } });
const WRONG = 'not the password at all, clearly';
const EXPECTED_BODY = JSON.stringify({ error: 'invalid_grant', error_description: BAD_CREDENTIALS });

async function throttleRow(key: string) {
  return env.DB.prepare('select failures, blocked_until as blockedUntil from login_throttle where key = ?')
    .bind(key)
    .first<{ failures: number; blockedUntil: number }>();
}

/** Sends `n` wrong-password attempts in turn; returns status, raw body and Retry-After of each. */
async function failures(username: string, n: number) {
  const out: { status: number; text: string; retryAfter: string | null; contentType: string | null }[] = [];
  for (let i = 0; i < n; i += 1) {
    const res = await grant(username, WRONG);
    out.push({ status: res.status, text: await res.text(), retryAfter: res.headers.get('retry-after'), contentType: res.headers.get('content-type') });
  }
  return out;
}

describe('POST /token password grant throttling per login name', () => {
  it('lets four failures through and answers 429 with Retry-After from the sixth attempt, for a real name and an unknown one alike', async () => {
    const user = await createUser();
    const real = await failures(user.username, 6);
    const unknown = await failures(`ghost_${crypto.randomUUID().slice(0, 8)}`, 6);
    for (const attempts of [real, unknown]) {
      expect(attempts.map((a) => a.status)).toEqual([400, 400, 400, 400, 400, 429]);
      expect(attempts.slice(0, 5).map((a) => a.retryAfter)).toEqual([null, null, null, null, null]);
      expect(attempts[5]!.retryAfter).toBe('1');
      for (const a of attempts) {
        expect(a.contentType).toMatch(/^application\/json/);
        expect(a.text).toBe(EXPECTED_BODY);
      }
    }
    expect(unknown).toEqual(real);
  });

  it('answers 429 to the right password while the name is blocked', async () => {
    const user = await createUser();
    await failures(user.username, 5);
    const res = await grant(user.username, user.password);
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(await res.text()).toBe(EXPECTED_BODY);
  });

  it('gives Retry-After as the whole seconds left of the block', async () => {
    const user = await createUser();
    const key = `login:${user.username.toLowerCase()}`;
    await insertThrottleRow(key, { failures: 12, blockedUntil: Date.now() + 600_000, updatedAt: Date.now() });
    const res = await grant(user.username, user.password);
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(599);
    expect(Number(res.headers.get('retry-after'))).toBeLessThanOrEqual(600);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('does not count attempts made while blocked', async () => {
    const user = await createUser();
    await failures(user.username, 5);
    const blocked = await failures(user.username, 3);
    expect(blocked.map((a) => a.status)).toEqual([429, 429, 429]);
    expect((await throttleRow(`login:${user.username.toLowerCase()}`))?.failures).toBe(5);
  });

  it('resets the count on a successful login after the block has passed', async () => {
    const user = await createUser();
    const key = `login:${user.username.toLowerCase()}`;
    await failures(user.username, 5);
    await env.DB.prepare('update login_throttle set blocked_until = ? where key = ?')
      .bind(Date.now() - 1, key)
      .run();
    expect((await grant(user.username, user.password)).status).toBe(200);
    expect(await throttleRow(key)).toBeNull();
    // Four free failures again, not an immediate block.
    expect((await failures(user.username, 4)).map((a) => a.status)).toEqual([400, 400, 400, 400]);
    expect((await throttleRow(key))?.blockedUntil).toBe(0);
  });

  it('never locks a name for good: after a thousand failures the right password works once the block passes', async () => {
    const user = await createUser();
    const key = `login:${user.username.toLowerCase()}`;
    await insertThrottleRow(key, { failures: 1000, blockedUntil: Date.now() - 1, updatedAt: Date.now() });
    expect((await grant(user.username, user.password)).status).toBe(200);
  });

  it('counts a name in any case, and an email in any case, as one name each', async () => {
    const user = await createUser();
    await failures(user.username.toUpperCase(), 3);
    await failures(user.username, 2);
    expect((await grant(user.username.toLowerCase(), user.password)).status).toBe(429);
    const email = `Mixed.${crypto.randomUUID().slice(0, 8)}@Example.COM`;
    await failures(email, 5);
    expect((await grant(email.toLowerCase(), WRONG)).status).toBe(429);
  });

  it('blocks a burst of concurrent guesses after the free allowance (the count is exact under concurrency)', async () => {
    const user = await createUser();
    const results = await Promise.all(Array.from({ length: 12 }, () => grant(user.username, WRONG)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 400)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(7);
    expect((await throttleRow(`login:${user.username.toLowerCase()}`))?.failures).toBe(5);
  });
});
