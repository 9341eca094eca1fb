import { env } from 'cloudflare:workers';
import { createExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../../src/index';
import { BASE, body, del, get, post } from '../helpers/api';
import { createUser, login, signedIn } from '../helpers/factories';

const refresh = (token: string) => post('/token', { form: { grant_type: 'refresh_token', refresh_token: token } });

/** The same refresh through a worker with other configuration (a fresh config parse). */
const refreshWith = (vars: Record<string, string>, token: string) =>
  worker.fetch(
    new Request(`${BASE}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token }),
    }),
    { ...env, ...vars },
    createExecutionContext(),
  );

interface Tokens {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
}

const claimsOf = (jwt: string) => JSON.parse(atob(jwt.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as { sid: string; sub: string };

async function expectTokens(res: Response): Promise<Tokens> {
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(res.headers.get('cache-control')).toBe('no-store');
  const tokens = await body<Tokens>(res);
  expect(Object.keys(tokens).sort()).toEqual(['access_token', 'expires_in', 'refresh_token', 'token_type']);
  expect(tokens.token_type).toBe('bearer');
  expect(tokens.expires_in).toBe(900);
  expect(tokens.refresh_token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  return tokens;
}

async function expectOAuthError(res: Response, error: string, label?: string) {
  expect(res.status, label).toBe(400);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  const b = await body(res);
  expect(Object.keys(b).sort()).toEqual(['error', 'error_description']);
  expect(b.error, label).toBe(error);
}

const expectLive = async (access: string) => expect((await get('/user/me', { token: access })).status).toBe(200);
async function expectDead(access: string) {
  const res = await get('/user/me', { token: access });
  expect(res.status).toBe(401);
  expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
}

const sessionRow = (sid: string) =>
  env.DB.prepare('select revoked_at, expires_at, absolute_expires_at, last_used_at from sessions where id = ?').bind(sid).first<{
    revoked_at: number | null;
    expires_at: number;
    absolute_expires_at: number;
    last_used_at: number;
  }>();

describe('POST /token grant_type=refresh_token', () => {
  it('rotates: every refresh returns a new pair in the same session, and the old refresh token dies', async () => {
    const user = await signedIn();
    const sid = claimsOf(user.access).sid;
    const first = await expectTokens(await refresh(user.refresh));
    expect(first.refresh_token).not.toBe(user.refresh);
    expect(first.access_token).not.toBe(user.access);
    expect(claimsOf(first.access_token)).toMatchObject({ sid, sub: user.uuid });
    await expectLive(first.access_token);

    const second = await expectTokens(await refresh(first.refresh_token));
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(claimsOf(second.access_token).sid).toBe(sid);
    await expectLive(second.access_token);

    const hashes = await env.DB.prepare('select count(*) as n, count(replaced_by) as rotated from refresh_tokens where session_id = ?').bind(sid).first();
    expect(hashes).toEqual({ n: 3, rotated: 2 });
    // Only hashes are stored, never a token.
    const stored = await env.DB.prepare('select hash from refresh_tokens where session_id = ?').bind(sid).all<{ hash: string }>();
    for (const row of stored.results) expect([user.refresh, first.refresh_token, second.refresh_token]).not.toContain(row.hash);
  });

  it('slides the session expiry forward and records the last use', async () => {
    const user = await signedIn();
    const sid = claimsOf(user.access).sid;
    await env.DB.prepare('update sessions set expires_at = expires_at - 86400000, last_used_at = last_used_at - 86400000 where id = ?').bind(sid).run();
    const before = (await sessionRow(sid))!;
    await expectTokens(await refresh(user.refresh));
    const after = (await sessionRow(sid))!;
    expect(after.expires_at).toBeGreaterThan(before.expires_at);
    expect(after.expires_at).toBeLessThanOrEqual(after.absolute_expires_at);
    expect(after.last_used_at).toBeGreaterThan(before.last_used_at);
  });

  it("answers invalid_grant to a reused token, kills the newer token of the family and the session's access tokens", async () => {
    const user = await signedIn();
    const sid = claimsOf(user.access).sid;
    const rotated = await expectTokens(await refresh(user.refresh));

    await expectOAuthError(await refresh(user.refresh), 'invalid_grant');

    await expectOAuthError(await refresh(rotated.refresh_token), 'invalid_grant');
    await expectDead(user.access);
    await expectDead(rotated.access_token);
    expect((await sessionRow(sid))!.revoked_at).not.toBeNull();
    const record = await env.REVOCATIONS.get(`revoked-session:${sid}`, 'json');
    expect(record).toMatchObject({ reason: 'refresh_token_reuse' });
  });

  it('lets exactly one of two concurrent refreshes with the same token win (and treats the loser as reuse)', async () => {
    for (let round = 0; round < 5; round++) {
      const user = await signedIn();
      const sid = claimsOf(user.access).sid;
      const results = await Promise.all([refresh(user.refresh), refresh(user.refresh)]);
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([200, 400]);
      const winner = results.find((r) => r.status === 200)!;
      const loser = results.find((r) => r.status === 400)!;
      const tokens = await expectTokens(winner);
      await expectOAuthError(loser, 'invalid_grant');
      // One new token was stored, not two.
      const n = await env.DB.prepare('select count(*) as n from refresh_tokens where session_id = ?').bind(sid).first('n');
      expect(n).toBe(2);
      // Without a grace interval the second presentation is indistinguishable from theft:
      // the whole session ends, the winner's new pair included (RFC 9700 §4.14.2).
      expect((await sessionRow(sid))!.revoked_at).not.toBeNull();
      await expectOAuthError(await refresh(tokens.refresh_token), 'invalid_grant');
      await expectDead(tokens.access_token);
    }
  });

  it('answers invalid_grant once the sliding expiry has passed', async () => {
    const user = await signedIn();
    await env.DB.prepare('update sessions set expires_at = ? where id = ?')
      .bind(Date.now() - 1, claimsOf(user.access).sid)
      .run();
    await expectOAuthError(await refresh(user.refresh), 'invalid_grant');
  });

  it('answers invalid_grant once the absolute cap is reached, even with the sliding expiry ahead', async () => {
    const user = await signedIn();
    await env.DB.prepare('update sessions set absolute_expires_at = ? where id = ?')
      .bind(Date.now() - 1, claimsOf(user.access).sid)
      .run();
    await expectOAuthError(await refresh(user.refresh), 'invalid_grant');
  });

  it('answers invalid_request to a missing, empty or overlong refresh_token and invalid_grant to one that is not ours, never a 500', async () => {
    await expectOAuthError(await post('/token', { form: { grant_type: 'refresh_token' } }), 'invalid_request');
    await expectOAuthError(await refresh(''), 'invalid_request');
    await expectOAuthError(await refresh('A'.repeat(201)), 'invalid_request');
    await expectOAuthError(await post('/token', { json: { grant_type: 'refresh_token', refresh_token: 12345 } }), 'invalid_request');
    await expectOAuthError(await post('/token', { json: { grant_type: 'refresh_token', refresh_token: ['x'] } }), 'invalid_request');
    for (const token of ['!'.repeat(43), `${'a'.repeat(42)}é`, 'a b c', "' or 1=1 --", 'A'.repeat(42), 'A'.repeat(44), 'A'.repeat(43), '\u0000'.repeat(43)]) {
      await expectOAuthError(await refresh(token), 'invalid_grant', JSON.stringify(token));
    }
    // An access token is not a refresh token (and longer than any refresh token may be).
    const user = await signedIn();
    await expectOAuthError(await refresh(user.access), 'invalid_request');
    await expectOAuthError(await refresh(user.access.slice(0, 43).replace(/\./g, 'x')), 'invalid_grant');
    await expectTokens(await refresh(user.refresh));
  });

  it('refuses a disabled user: no login, no refresh', async () => {
    const user = await createUser();
    const tokens = await login(user);
    await env.DB.prepare('update users set disabled = 1 where uuid = ?').bind(user.uuid).run();
    await expectOAuthError(await refresh(tokens.refresh), 'invalid_grant');
    await expectOAuthError(await post('/token', { form: { grant_type: 'password', username: user.username, password: user.password } }), 'invalid_grant');
  });

  it("never lets one user's refresh token touch another user's session", async () => {
    const a = await signedIn();
    const b = await signedIn();
    const bSid = claimsOf(b.access).sid;
    const rotated = await expectTokens(await refresh(a.refresh));
    expect(claimsOf(rotated.access_token)).toMatchObject({ sub: a.uuid, sid: claimsOf(a.access).sid });
    // A's reuse ends A's session only.
    await expectOAuthError(await refresh(a.refresh), 'invalid_grant');
    expect((await sessionRow(bSid))!.revoked_at).toBeNull();
    await expectLive(b.access);
    // B's refresh tokens still rotate, in B's own session.
    const bRotated = await expectTokens(await refresh(b.refresh));
    expect(claimsOf(bRotated.access_token)).toMatchObject({ sub: b.uuid, sid: bSid });
    // B cannot revoke another user's session through the sessions API either.
    const c = await signedIn();
    expect((await del(`/user/me/sessions/${claimsOf(c.access).sid}`, { token: bRotated.access_token })).status).toBe(404);
    await expectLive(c.access);
    await expectTokens(await refresh(c.refresh));
  });
});

describe('POST /token refresh with REFRESH_REUSE_GRACE_SECONDS', () => {
  it('is off by default: wrangler.toml and the config say 0', async () => {
    expect(env.REFRESH_REUSE_GRACE_SECONDS).toBe('0');
  });

  it('refuses the racing duplicate within the window but keeps the session alive', async () => {
    for (let round = 0; round < 3; round++) {
      const user = await signedIn();
      const sid = claimsOf(user.access).sid;
      const grace = { REFRESH_REUSE_GRACE_SECONDS: '30' };
      const results = await Promise.all([refreshWith(grace, user.refresh), refreshWith(grace, user.refresh)]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 400]);
      const tokens = await expectTokens(results.find((r) => r.status === 200)!);
      await expectOAuthError(results.find((r) => r.status === 400)!, 'invalid_grant');
      expect((await sessionRow(sid))!.revoked_at).toBeNull();
      await expectLive(tokens.access_token);
      await expectLive(user.access);
      // The old token stays refused however often it comes back within the window.
      await expectOAuthError(await refreshWith(grace, user.refresh), 'invalid_grant');
      await expectTokens(await refreshWith(grace, tokens.refresh_token));
    }
  });

  it('still treats a reuse after the window as theft and revokes the session', async () => {
    const user = await signedIn();
    const sid = claimsOf(user.access).sid;
    const grace = { REFRESH_REUSE_GRACE_SECONDS: '30' };
    const rotated = await expectTokens(await refreshWith(grace, user.refresh));
    await env.DB.prepare('update refresh_tokens set replaced_at = replaced_at - 31000 where session_id = ? and replaced_by is not null').bind(sid).run();
    await expectOAuthError(await refreshWith(grace, user.refresh), 'invalid_grant');
    expect((await sessionRow(sid))!.revoked_at).not.toBeNull();
    await expectOAuthError(await refreshWith(grace, rotated.refresh_token), 'invalid_grant');
    await expectDead(rotated.access_token);
  });
});
