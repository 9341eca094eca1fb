import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { body, del, get, post } from '../helpers/api';
import { createUser, signedIn, type TestUser } from '../helpers/factories';
import { expectProblem } from '../helpers/problems';
import { sidOf } from '../helpers/jwt';

interface SessionDto {
  id: string;
  created_at: string;
  last_used_at: string;
  expires_at: string;
  user_agent: string | null;
  ip: string | null;
  country: string | null;
  current: boolean;
}

const refresh = (token: string) => post('/token', { form: { grant_type: 'refresh_token', refresh_token: token } });

let ipCounter = 0;
/** A password grant from a device of our choosing: its own IP (so the per-IP limiter never bites) and user agent. */
async function loginFrom(user: TestUser, userAgent: string) {
  ipCounter += 1;
  const ip = `198.51.100.${ipCounter}`;
  const res = await post('/token', {
    form: { grant_type: 'password', username: user.username, password: user.password },
    headers: { 'user-agent': userAgent, 'cf-connecting-ip': ip, 'x-forwarded-for': '10.9.9.9' },
  });
  expect(res.status).toBe(200);
  const tokens = await body<{ access_token: string; refresh_token: string }>(res);
  return { access: tokens.access_token, refresh: tokens.refresh_token, sid: sidOf(tokens.access_token), ip };
}

async function expectEnded(session: { access: string; refresh: string }) {
  const me = await get('/user/me', { token: session.access });
  await expectProblem(me, 401);
  expect(me.headers.get('www-authenticate')).toContain('error="invalid_token"');
  const res = await refresh(session.refresh);
  expect(res.status).toBe(400);
  expect((await body(res)).error).toBe('invalid_grant');
}

async function expectAlive(session: { access: string; refresh: string }) {
  expect((await get('/user/me', { token: session.access })).status).toBe(200);
  expect((await refresh(session.refresh)).status).toBe(200);
}

describe('GET /user/me/sessions', () => {
  it("lists only the caller's live sessions, newest first, with device, address, times and the current one marked", async () => {
    const user = await createUser();
    const laptop = await loginFrom(user, 'Laptop/1.0');
    const phone = await loginFrom(user, 'Phone/2.0');
    const ended = await loginFrom(user, 'Old/0.1');
    const expired = await loginFrom(user, 'Expired/0.1');
    expect((await del(`/user/me/sessions/${ended.sid}`, { token: laptop.access })).status).toBe(204);
    await env.DB.prepare('update sessions set expires_at = ? where id = ?')
      .bind(Date.now() - 1, expired.sid)
      .run();
    await signedIn(); // someone else's session must not show

    const res = await get('/user/me/sessions', { token: phone.access });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const page = await body<{ items: SessionDto[]; next_cursor: string | null }>(res);
    expect(page.next_cursor).toBeNull();
    expect(page.items.map((s) => s.id)).toEqual([phone.sid, laptop.sid]);
    const [current, other] = page.items;
    expect(Object.keys(current!).sort()).toEqual(['country', 'created_at', 'current', 'expires_at', 'id', 'ip', 'last_used_at', 'user_agent']);
    expect(current).toMatchObject({ current: true, user_agent: 'Phone/2.0', ip: phone.ip });
    expect(other).toMatchObject({ current: false, user_agent: 'Laptop/1.0', ip: laptop.ip });
    for (const s of page.items) {
      for (const t of [s.created_at, s.last_used_at, s.expires_at]) expect(t).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(Date.parse(s.expires_at)).toBeGreaterThan(Date.now());
    }
  });

  it('moves last_used_at and the address forward on a refresh', async () => {
    const user = await createUser();
    const device = await loginFrom(user, 'Tablet/1.0');
    await env.DB.prepare('update sessions set last_used_at = last_used_at - 60000 where id = ?').bind(device.sid).run();
    const before = (await body<{ items: SessionDto[] }>(await get('/user/me/sessions', { token: device.access }))).items[0]!;
    const res = await post('/token', {
      form: { grant_type: 'refresh_token', refresh_token: device.refresh },
      headers: { 'user-agent': 'Tablet/1.1', 'cf-connecting-ip': '192.0.2.200' },
    });
    const access = (await body<{ access_token: string }>(res)).access_token;
    const after = (await body<{ items: SessionDto[] }>(await get('/user/me/sessions', { token: access }))).items[0]!;
    expect(after.id).toBe(before.id);
    expect(Date.parse(after.last_used_at)).toBeGreaterThan(Date.parse(before.last_used_at));
    expect(after.created_at).toBe(before.created_at);
    expect(after).toMatchObject({ ip: '192.0.2.200', user_agent: 'Tablet/1.1', current: true });
  });

  it('keeps the recorded address and user agent when a refresh carries neither', async () => {
    const user = await createUser();
    const device = await loginFrom(user, 'Phone/2.0');
    const res = await refresh(device.refresh);
    expect(res.status).toBe(200);
    const access = (await body<{ access_token: string }>(res)).access_token;
    const [session] = (await body<{ items: SessionDto[] }>(await get('/user/me/sessions', { token: access }))).items;
    expect(session).toMatchObject({ id: device.sid, ip: device.ip, user_agent: 'Phone/2.0', current: true });
  });

  it('pages with an opaque cursor', async () => {
    const user = await createUser();
    const a = await loginFrom(user, 'A');
    const b = await loginFrom(user, 'B');
    const c = await loginFrom(user, 'C');
    const first = await body<{ items: SessionDto[]; next_cursor: string }>(await get('/user/me/sessions?limit=2', { token: a.access }));
    expect(first.items.map((s) => s.id)).toEqual([c.sid, b.sid]);
    const second = await body<{ items: SessionDto[]; next_cursor: string | null }>(
      await get(`/user/me/sessions?limit=2&cursor=${first.next_cursor}`, { token: a.access }),
    );
    expect(second.items.map((s) => s.id)).toEqual([a.sid]);
    expect(second.next_cursor).toBeNull();
    await expectProblem(await get('/user/me/sessions?cursor=nonsense', { token: a.access }), 422);
  });

  it('answers 401 with a Bearer challenge without a token', async () => {
    const res = await get('/user/me/sessions');
    await expectProblem(res, 401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /);
  });
});

describe('DELETE /user/me/sessions/{id}', () => {
  it("ends one of the caller's sessions (refresh and access tokens) and leaves the others", async () => {
    const user = await createUser();
    const keep = await loginFrom(user, 'Keep');
    const drop = await loginFrom(user, 'Drop');
    const res = await del(`/user/me/sessions/${drop.sid}`, { token: keep.access });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    await expectEnded(drop);
    await expectAlive(keep);
    expect(await env.REVOCATIONS.get(`revoked-session:${drop.sid}`, 'json')).toMatchObject({ reason: 'session_revoked' });
    // Already ended: nothing left to revoke.
    await expectProblem(await del(`/user/me/sessions/${drop.sid}`, { token: (await loginFrom(user, 'Again')).access }), 404);
  });

  it('can end the current session: its own token stops working', async () => {
    const user = await signedIn();
    expect((await del(`/user/me/sessions/${sidOf(user.access)}`, { token: user.access })).status).toBe(204);
    await expectEnded(user);
  });

  it("answers 404 for another user's session and leaves it alone", async () => {
    const victim = await signedIn();
    const attacker = await signedIn();
    await expectProblem(await del(`/user/me/sessions/${sidOf(victim.access)}`, { token: attacker.access }), 404);
    await expectAlive(victim);
  });

  it('answers 404 for an unknown id or one that is not a uuid (it cannot name anything), 401 without a token', async () => {
    const user = await signedIn();
    await expectProblem(await del(`/user/me/sessions/${crypto.randomUUID()}`, { token: user.access }), 404);
    await expectProblem(await del('/user/me/sessions/not-a-uuid', { token: user.access }), 404);
    await expectProblem(await del(`/user/me/sessions/${sidOf(user.access)}`), 401);
    await expectAlive(user);
  });
});

describe('DELETE /user/{uuid}/sessions', () => {
  it('logs the caller out everywhere, this session included', async () => {
    const user = await createUser();
    const one = await loginFrom(user, 'One');
    const two = await loginFrom(user, 'Two');
    const res = await del(`/user/${user.uuid}/sessions`, { token: one.access });
    expect(res.status).toBe(204);
    await expectEnded(one);
    await expectEnded(two);
    for (const sid of [one.sid, two.sid]) {
      expect(await env.REVOCATIONS.get(`revoked-session:${sid}`, 'json')).toMatchObject({ reason: 'logout_everywhere' });
    }
  });

  it("lets an admin force another user's logout, keeping the admin's own session", async () => {
    const admin = await signedIn('admin');
    const user = await createUser();
    const one = await loginFrom(user, 'One');
    const two = await loginFrom(user, 'Two');
    expect((await del(`/user/${user.uuid}/sessions`, { token: admin.access })).status).toBe(204);
    await expectEnded(one);
    await expectEnded(two);
    await expectAlive(admin);
  });

  it('answers 404 to a non-admin naming another user, and revokes nothing', async () => {
    for (const role of ['normal', 'celebrity'] as const) {
      const caller = await signedIn(role);
      const victim = await signedIn();
      await expectProblem(await del(`/user/${victim.uuid}/sessions`, { token: caller.access }), 404);
      await expectAlive(victim);
      await expectAlive(caller);
    }
  });

  it('answers 404 to an admin naming an unknown user, 401 without a token', async () => {
    const admin = await signedIn('admin');
    await expectProblem(await del(`/user/${crypto.randomUUID()}/sessions`, { token: admin.access }), 404);
    await expectProblem(await del(`/user/${admin.uuid}/sessions`), 401);
    await expectAlive(admin);
  });
});
