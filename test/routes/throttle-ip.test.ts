import { env } from 'cloudflare:workers';
import { createExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../../src/index';
import { BASE, body, get, post } from '../helpers/api';
import { createUser, PASSWORD } from '../helpers/factories';
import { BAD_CREDENTIALS } from '../../src/routes/token/token.errors';

// Per-client-IP limits through the Workers Rate Limiting bindings of wrangler.toml
// (LOGIN_IP_LIMITER 30/60 s, SIGNUP_IP_LIMITER 10/60 s), which miniflare provides and enforces
// locally: fixed windows aligned to the wall clock, keyed here by CF-Connecting-IP only.

const WRONG_BODY = JSON.stringify({ error: 'invalid_grant', error_description: BAD_CREDENTIALS });
/** A fresh IPv6 network (its own /64: the limiters key IPv6 clients by /64). */
const newNet = () => `2001:db8:${crypto.randomUUID().slice(0, 4)}:${crypto.randomUUID().slice(0, 4)}`;
const newIp = () => `${newNet()}::1`;
const nonce = () => crypto.randomUUID().slice(0, 8);
const SPOOFS = ['x-forwarded-for', 'x-real-ip', 'true-client-ip'];

/** Spoofable client-address headers with values that change on every call. */
const spoofed = () => Object.fromEntries(SPOOFS.map((h) => [h, `198.51.100.${Math.floor(Math.random() * 250) + 1}`]));

/** A wrong-password grant for a never-repeated name, so only the per-IP limit can answer 429. */
const guess = (ip: string, extra: Record<string, string> = {}) =>
  post('/token', {
    form: { grant_type: 'password', username: `ip_${nonce()}`, password: 'wrong password of some length' },
    headers: { 'cf-connecting-ip': ip, ...extra },
  });

/**
 * Runs `fn` with a fresh IP inside one rate-limit window: the limiter's windows are aligned to
 * the minute, so a run that straddles a boundary is repeated with a new address.
 */
async function inOneWindow<T>(fn: (ip: string) => Promise<T>): Promise<T> {
  for (let i = 0; i < 3; i += 1) {
    const window = Math.floor(Date.now() / 60_000);
    const result = await fn(newIp());
    if (Math.floor(Date.now() / 60_000) === window) return result;
  }
  throw new Error('could not stay inside one rate-limit window');
}

describe('POST /token per-IP limit', () => {
  it('answers the 31st attempt from one CF-Connecting-IP within a minute with 429, Retry-After and the usual body', async () => {
    const { statuses, last, otherIp } = await inOneWindow(async (ip) => {
      const statuses: number[] = [];
      for (let i = 0; i < 30; i += 1) statuses.push((await guess(ip)).status);
      const last = await guess(ip);
      return {
        statuses,
        last: { status: last.status, retryAfter: last.headers.get('retry-after'), text: await last.text() },
        otherIp: (await guess(newIp())).status,
      };
    });
    expect(statuses).toEqual(Array(30).fill(400));
    expect(last).toEqual({ status: 429, retryAfter: '60', text: WRONG_BODY });
    expect(otherIp).toBe(400);
  });

  it('refuses even the right password once the address is over its limit', async () => {
    const user = await createUser();
    const res = await inOneWindow(async (ip) => {
      for (let i = 0; i < 30; i += 1) await guess(ip);
      return post('/token', { form: { grant_type: 'password', username: user.username, password: user.password }, headers: { 'cf-connecting-ip': ip } });
    });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('60');
  });

  it('counts by CF-Connecting-IP whatever X-Forwarded-For, X-Real-IP and True-Client-IP say', async () => {
    const statuses = await inOneWindow(async (ip) => {
      const out: number[] = [];
      for (let i = 0; i < 31; i += 1) out.push((await guess(ip, spoofed())).status);
      return out;
    });
    expect(statuses.slice(0, 30)).toEqual(Array(30).fill(400));
    expect(statuses[30]).toBe(429);

    // The same spoofed headers on every request, from changing real addresses: never limited.
    const fixed = Object.fromEntries(SPOOFS.map((h) => [h, '192.0.2.1']));
    const spread: number[] = [];
    for (let i = 0; i < 35; i += 1) spread.push((await guess(newIp(), fixed)).status);
    expect(spread).toEqual(Array(35).fill(400));
  });

  it('does not limit by IP when IP_RATE_LIMIT is off (benchmarks from one address)', async () => {
    const off = { ...env, IP_RATE_LIMIT: 'off' };
    const statuses = await inOneWindow(async (ip) => {
      const out: number[] = [];
      for (let i = 0; i < 35; i += 1) {
        const req = new Request(`${BASE}/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'cf-connecting-ip': ip },
          body: new URLSearchParams({ grant_type: 'password', username: `off_${nonce()}`, password: 'wrong password of some length' }),
        });
        out.push((await worker.fetch(req, off, createExecutionContext())).status);
      }
      return out;
    });
    expect(statuses).toEqual(Array(35).fill(400));
  });
});

describe('login records and sessions store CF-Connecting-IP only', () => {
  it('records the CF-Connecting-IP address, not the spoofable headers', async () => {
    const user = await createUser();
    const ip = newIp();
    const res = await post('/token', {
      form: { grant_type: 'password', username: user.username, password: user.password },
      headers: { 'cf-connecting-ip': ip, 'x-forwarded-for': '192.0.2.66, 10.0.0.1', 'x-real-ip': '192.0.2.67', 'true-client-ip': '192.0.2.68' },
    });
    expect(res.status).toBe(200);
    const token = (await body<{ access_token: string }>(res)).access_token;
    const page = await body<{ items: { ip: string | null }[] }>(await get('/user/me/logins', { token }));
    expect(page.items.map((l) => l.ip)).toEqual([ip]);
    const stored = await env.DB.prepare('select ip from sessions where user_uuid = ?').bind(user.uuid).all<{ ip: string }>();
    expect(stored.results.map((s) => s.ip)).toEqual([ip]);
  });
});

describe('POST /user per-IP sign-up limit', () => {
  const signUp = (ip: string) => {
    const username = `s${nonce()}`;
    return post('/user', {
      json: { username, email: `${username}@example.com`, password: PASSWORD, name: 'Sign', surname: 'Up' },
      headers: { 'cf-connecting-ip': ip, ...spoofed() },
    });
  };

  it('keys IPv6 clients on their /64: the 11th sign-up from other addresses of one /64 is refused, another /64 is not', async () => {
    const { statuses, neighbour } = await inOneWindow(async (ip) => {
      const net = ip.slice(0, -'::1'.length);
      const statuses: number[] = [];
      for (let i = 1; i <= 13; i += 1) statuses.push((await signUp(`${net}:${i.toString(16)}:0:0:${(i * 7).toString(16)}`)).status);
      return { statuses, neighbour: (await signUp(`${newNet()}::2`)).status };
    });
    expect(statuses).toEqual([...Array(10).fill(201), 429, 429, 429]);
    expect(neighbour).toBe(201);
  });

  it('answers the 11th sign-up from one address within a minute with 429 problem+json and Retry-After', async () => {
    const { statuses, last, otherIp } = await inOneWindow(async (ip) => {
      const statuses: number[] = [];
      for (let i = 0; i < 10; i += 1) statuses.push((await signUp(ip)).status);
      const res = await signUp(ip);
      return {
        statuses,
        last: { status: res.status, type: res.headers.get('content-type'), retryAfter: res.headers.get('retry-after'), body: await body(res) },
        otherIp: (await signUp(newIp())).status,
      };
    });
    expect(statuses).toEqual(Array(10).fill(201));
    expect(last.status).toBe(429);
    expect(last.type).toMatch(/^application\/problem\+json/);
    expect(last.retryAfter).toBe('60');
    expect(last.body).toEqual({
      type: 'urn:userauth:problem:rate_limited',
      title: 'Too many requests from this address',
      status: 429,
      detail: expect.any(String),
    });
    expect(otherIp).toBe(201);
  });
});
