import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import worker from '../../src/index';
import { body, buildRequest, type CallOptions } from '../helpers/api';
import { clientCredentials, newClient, type NewClient } from '../helpers/clients';
import { countingD1 } from '../helpers/d1-counter';
import { PASSWORD, signedIn, type SignedIn } from '../helpers/factories';
import { claimsOf } from '../helpers/jwt';
import { codeFor, mfaUser, OTP_GRANT } from '../helpers/mfa';
import { createOrg } from '../helpers/orgs';

/** X-API-Key and REQUIRE_API_KEY (SPEC "Using a key"): the key checked in the request's own batch. */
const counter = countingD1(env.DB);

async function send(method: string, path: string, opts: CallOptions & { key?: string; vars?: Record<string, string> } = {}) {
  const { key, vars, ...init } = opts;
  const headers = { ...init.headers, ...(key === undefined ? {} : { 'x-api-key': key }) };
  const ctx = createExecutionContext();
  const res = await worker.fetch(buildRequest(method, path, { ...init, headers }), { ...env, DB: counter.db, ...vars } as never, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}
const ON = { REQUIRE_API_KEY: 'on' };
const FAKE_KEY = `ua_${'A'.repeat(43)}`;

let admin: SignedIn;
let org: { id: string };
let client: NewClient;
let other: NewClient;

beforeAll(async () => {
  admin = await signedIn('admin');
  org = await createOrg(admin);
  client = await newClient(admin, org.id, 'Key client');
  other = await newClient(admin, (await createOrg(admin)).id, 'Other client');
});

let n = 0;
async function signUpWith(key: string | undefined, vars?: Record<string, string>) {
  n += 1;
  const username = `key${crypto.randomUUID().slice(0, 8)}${n}`;
  const res = await send('POST', '/user', {
    key,
    vars,
    json: { username, email: `${username}@example.com`, password: PASSWORD, name: 'Key', surname: 'User' },
  });
  return { res, username };
}
const grant = (username: string, key: string | undefined, vars?: Record<string, string>) =>
  send('POST', '/token', { key, vars, form: { grant_type: 'password', username, password: PASSWORD } });

describe('X-API-Key', () => {
  it('checks a key in the same D1 round trip as the request, and refuses an unknown, revoked or malformed one with 401 api_key_invalid', async () => {
    const fresh = await newClient(admin, org.id);
    const keyed = async () => {
      counter.reset();
      expect((await send('GET', '/user/me', { token: admin.access, key: fresh.api_key })).status).toBe(200);
      return { trips: counter.count(), sent: counter.sent() };
    };
    // The key's first use this minute: the request's one batch, whose first statement is the
    // check (a read), and after the response the touch of last_used_at.
    const first = await keyed();
    expect(first.trips).toBe(2);
    expect(first.sent[0]).toMatch(/^select .*"clients"/);
    expect(first.sent.slice(1, -1).every((q) => !/^(update|insert|delete)/i.test(q))).toBe(true);
    expect(first.sent.at(-1)).toMatch(/^update "clients" set "last_used_at"/);
    // Within the minute: the request's batch alone, no write in it.
    const again = await keyed();
    expect(again.trips).toBe(1);
    expect(again.sent.some((q) => /^(update|insert|delete)/i.test(q))).toBe(false);
    for (const key of [FAKE_KEY, 'not-a-key', `${client.api_key.slice(0, -1)}x`]) {
      const res = await send('GET', '/user/me', { token: admin.access, key });
      expect(res.status, key).toBe(401);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect((await body<{ type: string }>(res)).type).toBe('urn:userauth:problem:api_key_invalid');
    }
  });

  it('changes nothing for a request whose key is unknown: the whole batch fails with the check', async () => {
    const res = await send('PATCH', '/user/me', { token: admin.access, key: FAKE_KEY, json: { city: 'Changed' } });
    expect(res.status).toBe(401);
    const row = await env.DB.prepare('select city from users where uuid = ?').bind(admin.uuid).first<{ city: string | null }>();
    expect(row?.city).not.toBe('Changed');
    expect((await send('PATCH', '/user/me', { token: admin.access, key: client.api_key, json: { city: 'Changed' } })).status).toBe(200);
  });

  it('moves last_used_at at most once a minute', async () => {
    const fresh = await newClient(admin, org.id);
    const usedAt = () => env.DB.prepare('select last_used_at as t from clients where id = ?').bind(fresh.client_id).first<{ t: number | null }>();
    expect((await usedAt())?.t).toBeNull();
    expect((await send('GET', '/user/me', { token: admin.access, key: fresh.api_key })).status).toBe(200);
    const first = (await usedAt())?.t;
    expect(first).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 5));
    expect((await send('GET', '/user/me', { token: admin.access, key: fresh.api_key })).status).toBe(200);
    expect((await usedAt())?.t).toBe(first);
    await env.DB.prepare('update clients set last_used_at = last_used_at - 60001 where id = ?').bind(fresh.client_id).run();
    expect((await send('GET', '/user/me', { token: admin.access, key: fresh.api_key })).status).toBe(200);
    expect((await usedAt())?.t).toBeGreaterThan(first!);
  });

  it('refuses a revoked key at once', async () => {
    const doomed = await newClient(admin, org.id);
    expect((await send('GET', '/user/me', { token: admin.access, key: doomed.api_key })).status).toBe(200);
    expect((await send('DELETE', `/organizations/${org.id}/clients/${doomed.client_id}`, { token: admin.access })).status).toBe(204);
    expect((await send('GET', '/user/me', { token: admin.access, key: doomed.api_key })).status).toBe(401);
  });

  it('answers invalid_client (RFC 6749) at /token for a bad key', async () => {
    const res = await send('POST', '/token', { key: FAKE_KEY, form: { grant_type: 'password', username: admin.username, password: PASSWORD } });
    expect(res.status).toBe(401);
    expect((await body<{ error: string }>(res)).error).toBe('invalid_client');
  });

  it("makes a sign-up with a key a member of the client's organization, and one without a key nobody's", async () => {
    const { res } = await signUpWith(client.api_key);
    expect(res.status).toBe(201);
    const made = await body<{ uuid: string }>(res);
    const row = await env.DB.prepare('select organization_id as o, org_role as r from users where uuid = ?').bind(made.uuid).first();
    expect(row).toEqual({ o: org.id, r: 'member' });
    const event = await env.DB.prepare("select client_id as c from audit_events where event = 'user.signed_up' and subject_uuid = ?").bind(made.uuid).first();
    expect(event).toEqual({ c: client.client_id });
    const plain = await body<{ uuid: string }>((await signUpWith(undefined)).res);
    expect(await env.DB.prepare('select organization_id as o, org_role as r from users where uuid = ?').bind(plain.uuid).first()).toEqual({ o: null, r: null });
    expect(
      await env.DB.prepare("select client_id as c from audit_events where event = 'user.signed_up' and subject_uuid = ?").bind(plain.uuid).first(),
    ).toEqual({ c: 'userauth' });
    const refused = await signUpWith(FAKE_KEY);
    expect(refused.res.status, await refused.res.clone().text()).toBe(401);
    expect(await env.DB.prepare('select count(*) as c from users where username = ?').bind(refused.username).first()).toEqual({ c: 0 });
  });

  it('gives tokens obtained with a key its client_id, keeps it through refresh, and without a key the first-party id', async () => {
    const { username } = await signUpWith(client.api_key);
    const res = await grant(username, client.api_key);
    expect(res.status).toBe(200);
    const tokens = await body<{ access_token: string; refresh_token: string }>(res);
    expect(claimsOf(tokens.access_token).client_id).toBe(client.client_id);
    const sid = claimsOf(tokens.access_token).sid;
    expect(await env.DB.prepare('select client_id as c from sessions where id = ?').bind(sid).first()).toEqual({ c: client.client_id });
    const refreshed = await send('POST', '/token', { key: client.api_key, form: { grant_type: 'refresh_token', refresh_token: tokens.refresh_token } });
    expect(refreshed.status).toBe(200);
    expect(claimsOf((await body<{ access_token: string }>(refreshed)).access_token).client_id).toBe(client.client_id);
    const plain = await body<{ access_token: string }>(await grant(username, undefined));
    expect(claimsOf(plain.access_token).client_id).toBe('userauth');
  });
});

describe('a login through a key stays with that key', () => {
  it("answers an mfa_token only with the key its password came with: none or another client's key is invalid_grant", async () => {
    const user = await mfaUser();
    await env.DB.prepare('update users set organization_id = ?, org_role = ? where uuid = ?').bind(org.id, 'member', user.uuid).run();
    const sessionCount = () => env.DB.prepare('select count(*) as n from sessions where user_uuid = ?').bind(user.uuid).first();
    const before = await sessionCount();
    const first = await grant(user.username, client.api_key);
    expect(first.status).toBe(403);
    const { mfa_token } = await body<{ mfa_token: string }>(first);
    // The right code each time: only the key tells the attempts apart.
    const second = async (key: string | undefined) =>
      send('POST', '/token', { key, form: { grant_type: OTP_GRANT, mfa_token, otp: await codeFor(user.secret) } });
    for (const key of [undefined, other.api_key]) {
      const res = await second(key);
      expect(res.status, String(key)).toBe(400);
      expect((await body<{ error: string }>(res)).error).toBe('invalid_grant');
    }
    expect(await sessionCount()).toEqual(before);
    const res = await second(client.api_key);
    expect(res.status, await res.clone().text()).toBe(200);
    expect(claimsOf((await body<{ access_token: string }>(res)).access_token).client_id).toBe(client.client_id);
  });

  it('records a refresh token replayed without the key under the client its session was opened through', async () => {
    const { username } = await signUpWith(client.api_key);
    const tokens = await body<{ access_token: string; refresh_token: string }>(await grant(username, client.api_key));
    const refresh = (key: string | undefined) => send('POST', '/token', { key, form: { grant_type: 'refresh_token', refresh_token: tokens.refresh_token } });
    expect((await refresh(client.api_key)).status).toBe(200);
    expect((await refresh(undefined)).status).toBe(400);
    const event = await env.DB.prepare(
      "select client_id as c, detail from audit_events where event = 'session.reuse_detected' and subject_uuid = (select uuid from users where username = ?)",
    )
      .bind(username)
      .first<{ c: string; detail: string }>();
    expect(event?.c).toBe(client.client_id);
    expect(JSON.parse(event!.detail)).toEqual({ session: claimsOf(tokens.access_token).sid });
  });
});

describe('REQUIRE_API_KEY=on', () => {
  it('needs a key everywhere but the open paths, the documents and the pages', async () => {
    const none = await send('GET', '/user/me', { token: admin.access, vars: ON });
    expect(none.status).toBe(401);
    expect((await body<{ type: string }>(none)).type).toBe('urn:userauth:problem:api_key_invalid');
    expect((await send('GET', '/user/me', { token: admin.access, vars: ON, key: client.api_key })).status).toBe(200);
    expect((await send('GET', '/roles', { vars: ON })).status).toBe(401);
    for (const path of ['/', '/health', '/.well-known/jwks.json', '/.well-known/oauth-authorization-server', '/openapi.json', '/docs', '/redocs', '/login'])
      expect((await send('GET', path, { vars: ON })).status, path).toBe(200);
    const token = await grant(admin.username, undefined, ON);
    expect(token.status).toBe(401);
    expect((await body<{ error: string }>(token)).error).toBe('invalid_client');
    expect((await send('GET', '/user/me', { token: admin.access, vars: { REQUIRE_API_KEY: 'off' } })).status).toBe(200);
  });

  it("rotates a key's refresh token only with that same key", async () => {
    const { username } = await signUpWith(client.api_key);
    const tokens = await body<{ refresh_token: string }>(await grant(username, client.api_key));
    const refresh = (key: string) => send('POST', '/token', { key, form: { grant_type: 'refresh_token', refresh_token: tokens.refresh_token } });
    const wrong = await refresh(other.api_key);
    expect(wrong.status).toBe(400);
    expect((await body<{ error: string }>(wrong)).error).toBe('invalid_grant');
    expect((await refresh(client.api_key)).status).toBe(200);
  });

  it("accepts a key's token only with that same key", async () => {
    const { username } = await signUpWith(client.api_key, ON);
    const tokens = await body<{ access_token: string }>(await grant(username, client.api_key, ON));
    const me = (key: string | undefined) => send('GET', '/user/me', { token: tokens.access_token, key, vars: ON });
    expect((await me(client.api_key)).status).toBe(200);
    expect((await me(other.api_key)).status).toBe(401);
    expect((await me(undefined)).status).toBe(401);
  });
});

describe('per-client rate limit (CLIENT_LIMITER)', () => {
  /** A stand-in binding: records the keys it is asked about and refuses them once `allow` is spent. */
  const limiter = (allow: number) => {
    const keys: string[] = [];
    return { keys, binding: { limit: async ({ key }: { key: string }) => ({ success: keys.push(key) <= allow }) } };
  };
  const withLimiter = (binding: unknown) => ({ CLIENT_LIMITER: binding }) as unknown as Record<string, string>;

  it('counts requests made with a key per client and answers 429 with Retry-After beyond the limit', async () => {
    const l = limiter(1);
    expect((await send('GET', '/user/me', { token: admin.access, key: client.api_key, vars: withLimiter(l.binding) })).status).toBe(200);
    const res = await send('GET', '/user/me', { token: admin.access, key: client.api_key, vars: withLimiter(l.binding) });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('60');
    expect((await body<{ type: string }>(res)).type).toBe('urn:userauth:problem:client_rate_limited');
    expect(new Set(l.keys).size).toBe(1);
    // Another client has its own allowance; a request without a key is not counted.
    const o = limiter(1);
    expect((await send('GET', '/user/me', { token: admin.access, key: other.api_key, vars: withLimiter(o.binding) })).status).toBe(200);
    expect((await send('GET', '/user/me', { token: admin.access, vars: withLimiter(o.binding) })).status).toBe(200);
    expect(o.keys).toHaveLength(1);
    expect(o.keys[0]).not.toBe(l.keys[0]);
  });

  it('counts client_credentials grants and tokens by the client id', async () => {
    const c = await newClient(admin, org.id);
    const l = limiter(2);
    const granted = await send('POST', '/token', { ...clientCredentials(c), vars: withLimiter(l.binding) });
    expect(granted.status).toBe(200);
    const token = (await body<{ access_token: string }>(granted)).access_token;
    expect((await send('GET', `/organizations/${org.id}/members`, { token, vars: withLimiter(l.binding) })).status).toBe(200);
    const over = await send('GET', `/organizations/${org.id}/members`, { token, vars: withLimiter(l.binding) });
    expect(over.status).toBe(429);
    expect(over.headers.get('retry-after')).toBe('60');
    expect(l.keys).toEqual([`id:${c.client_id}`, `id:${c.client_id}`, `id:${c.client_id}`]);
    const refused = await send('POST', '/token', { ...clientCredentials(c), vars: withLimiter(limiter(0).binding) });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('60');
  });
});
