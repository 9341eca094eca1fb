import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { AUDIT_EVENTS } from '../../src/db/schema';
import { AuditPageSchema } from '../../src/schemas/audit';
import { body, del, get, patch, post, put } from '../helpers/api';
import { createUser, login, PASSWORD, signedIn } from '../helpers/factories';
import { CURRENT_JWK, sidOf } from '../helpers/jwt';
import { pendingPhoto } from '../helpers/photos';
import { expectProblem } from '../helpers/problems';

/**
 * SPEC "Audit trail": each security event is written in the same D1 batch as the change it
 * records, with who did it, whom it is about, where from and which client, and never a secret.
 */
interface Row {
  id: string;
  event: string;
  actor_uuid: string | null;
  subject_uuid: string | null;
  ip: string | null;
  user_agent: string | null;
  country: string | null;
  client_id: string | null;
  detail: string | null;
}
const CLIENT = { 'cf-connecting-ip': '198.51.100.23', 'user-agent': 'audit-test/1.0' };
const eventsAbout = async (uuid: string) =>
  (await env.DB.prepare('select * from audit_events where subject_uuid = ? order by id').bind(uuid).all<Row>()).results;
const kinds = async (uuid: string) => (await eventsAbout(uuid)).map((e) => e.event);
const detailOf = (e: Row | undefined) => (e?.detail ? (JSON.parse(e.detail) as Record<string, unknown>) : null);
const grant = (username: string, password: string) => post('/token', { form: { grant_type: 'password', username, password }, headers: CLIENT });

describe('the events each operation writes', () => {
  it('sign-up, logins that succeed and fail for a known user, and nothing for an unknown name', async () => {
    const user = await createUser();
    expect(await kinds(user.uuid)).toEqual(['user.signed_up']);
    expect((await grant(user.username, PASSWORD)).status).toBe(200);
    expect((await grant(user.username, 'a wrong password of length')).status).toBe(400);
    const events = await eventsAbout(user.uuid);
    expect(events.map((e) => e.event)).toEqual(['user.signed_up', 'login.succeeded', 'login.failed']);
    expect(events[1]).toMatchObject({ actor_uuid: user.uuid, ip: '198.51.100.23', user_agent: 'audit-test/1.0', client_id: 'userauth' });
    expect(detailOf(events[2])).toEqual({ reason: 'wrong_password' });
    const before = (await env.DB.prepare('select count(*) as n from audit_events').first<{ n: number }>())!.n;
    expect((await grant(`nobody_${crypto.randomUUID().slice(0, 6)}`, 'a wrong password of length')).status).toBe(400);
    expect((await env.DB.prepare('select count(*) as n from audit_events').first<{ n: number }>())!.n).toBe(before);
  });

  it('a disabled user and a throttled name fail with their reason', async () => {
    const user = await createUser();
    await env.DB.prepare('update users set disabled = 1 where uuid = ?').bind(user.uuid).run();
    expect((await grant(user.username, PASSWORD)).status).toBe(400);
    await env.DB.prepare(
      'insert into login_throttle (key, failures, blocked_until, updated_at) values (?, 9, ?, ?) on conflict (key) do update set failures = 9, blocked_until = excluded.blocked_until',
    )
      .bind(`login:${user.username.toLowerCase()}`, Date.now() + 60_000, Date.now())
      .run();
    expect((await grant(user.username, PASSWORD)).status).toBe(429);
    const failed = (await eventsAbout(user.uuid)).filter((e) => e.event === 'login.failed').map(detailOf);
    expect(failed).toEqual([{ reason: 'disabled' }, { reason: 'throttled' }]);
  });

  it('refresh-token reuse, logout, revoking one session and logging out everywhere', async () => {
    const user = await signedIn();
    const first = await post('/token', { form: { grant_type: 'refresh_token', refresh_token: user.refresh } });
    expect(first.status).toBe(200);
    expect((await post('/token', { form: { grant_type: 'refresh_token', refresh_token: user.refresh } })).status).toBe(400);
    const other = await login(user);
    const third = await login(user);
    expect((await post('/token/revoke', { form: { token: other.refresh } })).status).toBe(200);
    expect((await del(`/user/me/sessions/${sidOf(third.access)}`, { token: (await login(user)).access })).status).toBe(204);
    const last = await login(user);
    expect((await del(`/user/${user.uuid}/sessions`, { token: last.access })).status).toBe(204);
    const events = (await eventsAbout(user.uuid)).filter((e) => e.event.startsWith('session.'));
    expect(events.map((e) => [e.event, detailOf(e)?.reason])).toEqual([
      ['session.reuse_detected', undefined],
      ['session.revoked', 'logout'],
      ['session.revoked', 'session_revoked'],
      ['session.revoked', 'logout_everywhere'],
    ]);
    expect(detailOf(events[0])).toEqual({ session: sidOf(user.access) });
    expect(detailOf(events[1])).toEqual({ reason: 'logout', session: sidOf(other.access) });
    expect(detailOf(events[3])).toMatchObject({ reason: 'logout_everywhere' });
    expect(Number(detailOf(events[3])?.sessions)).toBeGreaterThanOrEqual(1);
  });

  it('password change; role change, disabling and enabling by an admin, with the old and new role', async () => {
    const admin = await signedIn('admin');
    const user = await signedIn();
    expect((await put('/user/me/password', { token: user.access, json: { current_password: PASSWORD, new_password: `${PASSWORD} anew` } })).status).toBe(204);
    expect((await patch(`/user/${user.uuid}`, { token: admin.access, json: { role: 'celebrity' } })).status).toBe(200);
    expect((await patch(`/user/${user.uuid}`, { token: admin.access, json: { role: 'celebrity' } })).status).toBe(200); // no change, no event
    expect((await patch(`/user/${user.uuid}`, { token: admin.access, json: { disabled: true } })).status).toBe(200);
    expect((await patch(`/user/${user.uuid}`, { token: admin.access, json: { disabled: false } })).status).toBe(200);
    const events = (await eventsAbout(user.uuid)).filter((e) => !e.event.startsWith('login.') && e.event !== 'user.signed_up');
    expect(events.map((e) => e.event)).toEqual(['password.changed', 'user.role_changed', 'user.disabled', 'user.enabled']);
    expect(events[1]).toMatchObject({ actor_uuid: admin.uuid, subject_uuid: user.uuid });
    expect(detailOf(events[1])).toEqual({ from: 'normal', to: 'celebrity' });
  });

  it('photo review by an admin, once: a repeated approval writes nothing', async () => {
    const admin = await signedIn('admin');
    const user = await signedIn();
    const id = await pendingPhoto(user);
    expect((await post(`/photos/${id}/approve`, { token: admin.access })).status).toBe(200);
    expect((await post(`/photos/${id}/approve`, { token: admin.access })).status).toBe(409);
    const reviewed = (await eventsAbout(user.uuid)).filter((e) => e.event === 'photo.reviewed');
    expect(reviewed).toHaveLength(1);
    expect(reviewed[0]).toMatchObject({ actor_uuid: admin.uuid });
    expect(detailOf(reviewed[0])).toEqual({ photo: id, decision: 'accepted' });
  });
});

describe('no event without its change', () => {
  it('a sign-up refused with 409 and a refused caller write no event', async () => {
    const user = await signedIn();
    const count = async () => (await env.DB.prepare('select count(*) as n from audit_events').first<{ n: number }>())!.n;
    const before = await count();
    const taken = await post('/user', {
      json: { username: user.username.toUpperCase(), email: `x${user.email}`, password: PASSWORD, name: 'A', surname: 'B' },
    });
    await expectProblem(taken, 409, 'username_taken');
    await env.DB.prepare('update sessions set revoked_at = ? where user_uuid = ?').bind(Date.now(), user.uuid).run();
    expect((await put('/user/me/password', { token: user.access, json: { current_password: PASSWORD, new_password: `${PASSWORD} anew` } })).status).toBe(401);
    expect((await del(`/user/${user.uuid}/sessions`, { token: user.access })).status).toBe(401);
    expect(await count()).toBe(before);
  });
});

describe('GET /audit and GET /user/me/security-events', () => {
  it('page newest first and filter by user, event and time; a user sees only the events about them', async () => {
    const admin = await signedIn('admin');
    const user = await signedIn();
    for (let i = 0; i < 3; i++) await login(user);
    const page1 = AuditPageSchema.parse(await body(await get(`/audit?user=${user.uuid}&limit=2`, { token: admin.access })));
    expect(page1.items.map((e) => e.event)).toEqual(['login.succeeded', 'login.succeeded']);
    const page2 = AuditPageSchema.parse(await body(await get(`/audit?user=${user.uuid}&limit=2&cursor=${page1.next_cursor}`, { token: admin.access })));
    const page3 = AuditPageSchema.parse(await body(await get(`/audit?user=${user.uuid}&limit=2&cursor=${page2.next_cursor}`, { token: admin.access })));
    const all = [...page1.items, ...page2.items, ...page3.items];
    expect(all.map((e) => e.event)).toEqual(['login.succeeded', 'login.succeeded', 'login.succeeded', 'login.succeeded', 'user.signed_up']);
    expect(page3.next_cursor).toBeNull();
    expect(new Set(all.map((e) => e.id)).size).toBe(5);

    const signUps = AuditPageSchema.parse(await body(await get(`/audit?user=${user.uuid}&event=user.signed_up`, { token: admin.access })));
    expect(signUps.items).toHaveLength(1);
    const future = new Date(Date.now() + 60_000).toISOString();
    expect(AuditPageSchema.parse(await body(await get(`/audit?user=${user.uuid}&since=${future}`, { token: admin.access }))).items).toEqual([]);
    const past = new Date(Date.now() - 60_000).toISOString();
    expect(AuditPageSchema.parse(await body(await get(`/audit?user=${user.uuid}&until=${past}`, { token: admin.access }))).items).toEqual([]);

    const mine = AuditPageSchema.parse(await body(await get('/user/me/security-events?limit=100', { token: user.access })));
    expect(mine.items.length).toBe(5);
    expect(mine.items.every((e) => e.subject_uuid === user.uuid)).toBe(true);
    await expectProblem(await get('/audit', { token: user.access }), 403, 'role_required');
    await expectProblem(await get('/audit?event=nope', { token: admin.access }), 422, 'validation_failed');
  });
});

describe('erasure and retired usernames', () => {
  it('keeps the events about an erased user without their IP and user agent, and retires the name', async () => {
    const user = await createUser();
    const tokens = await login(user);
    await grant(user.username, PASSWORD);
    expect((await eventsAbout(user.uuid)).some((e) => e.ip === '198.51.100.23')).toBe(true);
    expect((await del('/user/me', { token: tokens.access, headers: CLIENT })).status).toBe(204);
    const events = await eventsAbout(user.uuid);
    expect(events.map((e) => e.event)).toContain('user.deleted');
    expect(events.every((e) => e.ip === null && e.user_agent === null)).toBe(true);

    // The name, in any case, is refused like a taken one; the table holds no readable name.
    const again = await post('/user', {
      json: { username: user.username.toUpperCase(), email: `new_${user.email}`, password: PASSWORD, name: 'New', surname: 'Owner' },
    });
    await expectProblem(again, 409, 'username_taken');
    const stored = (await env.DB.prepare('select key_hash from retired_usernames').all<{ key_hash: string }>()).results.map((r) => r.key_hash).join(' ');
    expect(stored).not.toContain(user.username.toLowerCase());
    // Once the retirement is over, the name is free again.
    await env.DB.prepare('update retired_usernames set retired_until = ?')
      .bind(Date.now() - 1)
      .run();
    expect(
      (await post('/user', { json: { username: user.username, email: `later_${user.email}`, password: PASSWORD, name: 'New', surname: 'Owner' } })).status,
    ).toBe(201);
  });

  it('refuses renaming to a retired username', async () => {
    const gone = await signedIn();
    expect((await del('/user/me', { token: gone.access })).status).toBe(204);
    const user = await signedIn();
    await expectProblem(await patch('/user/me', { token: user.access, json: { username: gone.username } }), 409, 'username_taken');
  });
});

describe('the trail holds no secret', () => {
  it('no password, token, hash, key or pepper from this run appears in any stored event', async () => {
    const user = await signedIn();
    const refreshed = await body<{ access_token: string; refresh_token: string }>(
      await post('/token', { form: { grant_type: 'refresh_token', refresh_token: user.refresh } }),
    );
    await grant(user.username, 'a wrong password of length');
    await put('/user/me/password', { token: refreshed.access_token, json: { current_password: PASSWORD, new_password: `${PASSWORD} rotated` } });
    const hashes = (await env.DB.prepare('select password_hash from users').all<{ password_hash: string }>()).results.map((r) => r.password_hash);
    const refreshHashes = (await env.DB.prepare('select hash from refresh_tokens').all<{ hash: string }>()).results.map((r) => r.hash);
    const secrets = [
      PASSWORD,
      `${PASSWORD} rotated`,
      'a wrong password of length',
      user.access,
      user.refresh,
      refreshed.access_token,
      refreshed.refresh_token,
      CURRENT_JWK.d!,
      env.PASSWORD_PEPPER as string,
      ...hashes,
      ...hashes.map((h) => h.split('$').pop()!),
      ...refreshHashes,
    ];
    const stored = (await env.DB.prepare('select * from audit_events').all<Record<string, unknown>>()).results;
    expect(stored.length).toBeGreaterThan(3);
    const text = JSON.stringify(stored);
    for (const secret of secrets) expect(text, 'a secret in the audit trail').not.toContain(secret);
    expect(new Set(stored.map((e) => e.event as string)).size).toBeGreaterThan(3);
    expect(stored.every((e) => (AUDIT_EVENTS as readonly string[]).includes(e.event as string))).toBe(true);
  });
});
