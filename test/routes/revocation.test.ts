import { env } from 'cloudflare:workers';
import { createExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../../src/index';
import { FREE_FAILURES } from '../../src/services/throttle';
import { BASE, body, del, get, patch, post, put } from '../helpers/api';
import { createUser, login, PASSWORD, signedIn, type TestUser } from '../helpers/factories';
import { expectProblem } from '../helpers/problems';
import { sidOf } from '../helpers/jwt';

type Session = { access: string; refresh: string };

const refresh = (token: string) => post('/token', { form: { grant_type: 'refresh_token', refresh_token: token } });
const revoke = (form: Record<string, string>) => post('/token/revoke', { form });
const passwordGrant = (user: { username: string }, password: string) => post('/token', { form: { grant_type: 'password', username: user.username, password } });
const NEW_PASSWORD = `${PASSWORD} but newer`;

async function expectInvalidGrant(res: Response) {
  expect(res.status).toBe(400);
  expect(await body(res)).toMatchObject({ error: 'invalid_grant' });
}

/** Both halves of the session are dead: the access token gets 401 at once, the refresh token invalid_grant. */
async function expectEnded(s: Session) {
  const me = await get('/user/me', { token: s.access });
  await expectProblem(me, 401);
  expect(me.headers.get('www-authenticate')).toContain('error="invalid_token"');
  await expectInvalidGrant(await refresh(s.refresh));
}

/** Both halves still work; returns the session with its rotated refresh token. */
async function expectAlive(s: Session): Promise<Session> {
  expect((await get('/user/me', { token: s.access })).status).toBe(200);
  const res = await refresh(s.refresh);
  expect(res.status).toBe(200);
  return { access: s.access, refresh: (await body<{ refresh_token: string }>(res)).refresh_token };
}

/** The KV record of a session: reason and an expiration within [now + 60 s, now + access TTL]. */
async function expectRecord(sid: string, reason: string, accessTtl = 900) {
  const now = Math.floor(Date.now() / 1000);
  const { value } = await env.REVOCATIONS.getWithMetadata<{ reason: string; revoked_at: string }>(`revoked-session:${sid}`, 'json');
  expect(value).toMatchObject({ reason, revoked_at: expect.stringMatching(/Z$/) });
  const { keys } = await env.REVOCATIONS.list({ prefix: `revoked-session:${sid}` });
  expect(keys).toHaveLength(1);
  const expiration = keys[0]!.expiration!;
  expect(expiration).toBeGreaterThanOrEqual(now + 60 - 5);
  expect(expiration).toBeLessThanOrEqual(now + accessTtl + 5);
}

async function twoSessions(user: TestUser) {
  return [await login(user), await login(user)] as const;
}

describe('POST /token/revoke (RFC 7009)', () => {
  it('revokes the session of a refresh token: refresh and access tokens stop, other sessions go on', async () => {
    const user = await createUser();
    const [gone, kept] = await twoSessions(user);
    const res = await revoke({ token: gone.refresh, token_type_hint: 'refresh_token' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    expect(res.headers.get('cache-control')).toBe('no-store');
    await expectEnded(gone);
    await expectAlive(kept);
    await expectRecord(sidOf(gone.access), 'logout');
  });

  it('revokes the session of an access token, whatever the hint says', async () => {
    const user = await signedIn();
    expect((await revoke({ token: user.access, token_type_hint: 'refresh_token' })).status).toBe(200);
    await expectEnded(user);
    await expectRecord(sidOf(user.access), 'logout');
  });

  it('accepts JSON too, and a rotated-away refresh token still ends its session', async () => {
    const user = await signedIn();
    const rotated = await expectAlive(user);
    expect((await post('/token/revoke', { json: { token: user.refresh } })).status).toBe(200);
    await expectEnded(rotated);
  });

  it('answers 200 to unknown, malformed, foreign and already revoked tokens, changing nothing', async () => {
    const bystander = await signedIn();
    const revoked = await signedIn();
    expect((await revoke({ token: revoked.refresh })).status).toBe(200);
    const forged = `${bystander.access.slice(0, -4)}AAAA`;
    for (const token of ['garbage', 'a.b.c', forged, 'A'.repeat(43), revoked.refresh, revoked.access, '\u00e9\u0000', 'x'.repeat(4096)]) {
      const res = await revoke({ token });
      expect(res.status, token.slice(0, 20)).toBe(200);
    }
    await expectAlive(bystander);
  });

  it('answers invalid_request when the request itself is malformed', async () => {
    for (const res of [
      await revoke({}),
      await revoke({ token: '' }),
      await revoke({ token: 'x', token_type_hint: 'id_token' }),
      await revoke({ token: 'x', extra: '1' }),
      await post('/token/revoke', { body: 'token=x', headers: { 'content-type': 'text/plain' } }),
    ]) {
      expect(res.status).toBe(400);
      expect(await body(res)).toMatchObject({ error: 'invalid_request' });
    }
  });

  it('writes KV records that expire with the access tokens they refuse (shorter lifetime, shorter record)', async () => {
    const user = await signedIn();
    const res = await worker.fetch(
      new Request(`${BASE}/token/revoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token: user.refresh }),
      }),
      { ...env, ACCESS_TOKEN_TTL_SECONDS: '120' },
      createExecutionContext(),
    );
    expect(res.status).toBe(200);
    await expectRecord(sidOf(user.access), 'logout', 120);
  });
});

describe('PUT /user/me/password', () => {
  const change = (s: Session, current: string, next = NEW_PASSWORD) =>
    put('/user/me/password', { token: s.access, json: { current_password: current, new_password: next } });

  it("needs the current password, keeps the caller's session and ends every other one", async () => {
    const user = await createUser();
    const [mine, other] = await twoSessions(user);
    const third = await login(user);
    const res = await change(mine, user.password);
    expect(res.status).toBe(204);
    await expectAlive(mine);
    await expectEnded(other);
    await expectEnded(third);
    await expectRecord(sidOf(other.access), 'password_changed');
    expect((await passwordGrant(user, user.password)).status).toBe(400);
    expect((await passwordGrant(user, NEW_PASSWORD)).status).toBe(200);
  });

  it('refuses a wrong current password with 422 and changes nothing', async () => {
    const user = await createUser();
    const [mine, other] = await twoSessions(user);
    const problem = await expectProblem(await change(mine, `${user.password}x`), 422);
    expect(problem.errors).toEqual([{ path: 'current_password', message: 'is incorrect' }]);
    await expectAlive(mine);
    await expectAlive(other);
    expect((await passwordGrant(user, user.password)).status).toBe(200);
  });

  it('applies the password policy to new_password, before and apart from the throttle', async () => {
    const user = await signedIn();
    for (const next of ['short', `my ${user.username} is long enough`, 'x'.repeat(129)]) {
      const problem = await expectProblem(await change(user, user.password, next), 422);
      expect(problem.errors?.[0]?.path).toBe('new_password');
    }
    // A refused new password is not a wrong current password: the account's counter is not left counting it.
    expect(await env.DB.prepare('select count(*) as n from login_throttle where key = ?').bind(`password:${user.uuid}`).first('n')).toBe(0);
    await expectAlive(user);
  });

  it('throttles guesses of the current password per account: 429 with Retry-After, even for the right one', async () => {
    const user = await signedIn();
    for (let i = 0; i < FREE_FAILURES; i++) await expectProblem(await change(user, `wrong guess ${i}`), 422);
    let blocked: Response | undefined;
    for (let i = 0; i < 3 && !blocked; i++) {
      const res = await change(user, `wrong guess again ${i}`);
      if (res.status === 429) blocked = res;
      else await expectProblem(res, 422);
    }
    expect(blocked, 'a 429 within FREE_FAILURES + 3 wrong guesses').toBeDefined();
    await expectProblem(blocked!, 429);
    expect(Number(blocked!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // The first blocks last a second or two; hold this one longer so a slow machine cannot let it lapse mid-test.
    const key = `password:${user.uuid}`;
    await env.DB.prepare('update login_throttle set blocked_until = ? where key = ?')
      .bind(Date.now() + 60_000, key)
      .run();
    const right = await change(user, user.password);
    await expectProblem(right, 429);
    expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(50);
    // Its own counter, per account: guesses here neither lock nor unlock the password grant.
    expect((await passwordGrant(user, user.password)).status).toBe(200);
    // Once the block has passed, the right password works and the count starts again.
    await env.DB.prepare('update login_throttle set blocked_until = 0 where key = ?').bind(key).run();
    expect((await change(user, user.password)).status).toBe(204);
    expect(await env.DB.prepare('select count(*) as n from login_throttle where key = ?').bind(key).first('n')).toBe(0);
  });
});

describe('PATCH /user/{uuid} by an admin', () => {
  it("ends every session of a user whose role changes, not the admin's", async () => {
    const admin = await signedIn('admin');
    const user = await createUser();
    const [one, two] = await twoSessions(user);
    const res = await patch(`/user/${user.uuid}`, { token: admin.access, json: { role: 'celebrity' } });
    expect(res.status).toBe(200);
    expect((await body(res)).role).toBe('celebrity');
    await expectEnded(one);
    await expectEnded(two);
    await expectRecord(sidOf(one.access), 'role_changed');
    await expectAlive(admin);
  });

  it('keeps the sessions when the role is set to what it already is, or only the profile changes', async () => {
    const admin = await signedIn('admin');
    const user = await signedIn();
    expect((await patch(`/user/${user.uuid}`, { token: admin.access, json: { role: 'normal', city: 'Utrecht' } })).status).toBe(200);
    await expectAlive(user);
  });

  it('ends every session of a user who is disabled; they can neither log in nor refresh', async () => {
    const admin = await signedIn('admin');
    const user = await createUser();
    const [one, two] = await twoSessions(user);
    const res = await patch(`/user/${user.uuid}`, { token: admin.access, json: { disabled: true } });
    expect(res.status).toBe(200);
    expect((await body(res)).disabled).toBe(true);
    await expectEnded(one);
    await expectEnded(two);
    await expectRecord(sidOf(two.access), 'disabled');
    await expectInvalidGrant(await passwordGrant(user, user.password));
  });
});

describe('DELETE /user/me', () => {
  it('ends every session of the erased user', async () => {
    const user = await createUser();
    const [one, two] = await twoSessions(user);
    expect((await del('/user/me', { token: one.access })).status).toBe(204);
    await expectEnded(one);
    await expectEnded(two);
    await expectRecord(sidOf(two.access), 'deleted');
    expect(await env.DB.prepare('select count(*) as n from sessions where user_uuid = ?').bind(user.uuid).first('n')).toBe(0);
  });
});
