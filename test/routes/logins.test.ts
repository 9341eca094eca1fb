import { describe, expect, it } from 'vitest';
import { LoginPageSchema, LoginRecordSchema } from '../../src/schemas/login';
import { body, get } from '../helpers/api';
import { login, signedIn, type SignedIn } from '../helpers/factories';
import { expectProblem } from '../helpers/problems';

type LoginPage = ReturnType<typeof LoginPageSchema.parse>;

const page = async (path: string, token: string): Promise<LoginPage> => {
  const res = await get(path, { token });
  expect(res.status, path).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  return LoginPageSchema.parse(await body(res));
};

/** A user with `extra` logins beyond the first, and their record ids newest first. */
async function userWithLogins(extra: number, role: 'normal' | 'admin' = 'normal'): Promise<SignedIn & { loginIds: string[] }> {
  const user = await signedIn(role);
  for (let i = 0; i < extra; i++) await login(user);
  const { items } = await page('/user/me/logins?limit=100', user.access);
  return { ...user, loginIds: items.map((l) => l.uuid) };
}

describe('GET /user/me/logins and /user/{uuid}/logins', () => {
  it("lists the caller's login records, newest first, page by page", async () => {
    const user = await userWithLogins(2);
    expect(user.loginIds).toHaveLength(3);
    expect(user.loginIds).toEqual([...user.loginIds].sort().reverse());
    const first = await page('/user/me/logins?limit=2', user.access);
    expect(first.items.map((l) => l.uuid)).toEqual(user.loginIds.slice(0, 2));
    expect(first.items.every((l) => l.user_uuid === user.uuid)).toBe(true);
    const second = await page(`/user/me/logins?limit=2&cursor=${first.next_cursor}`, user.access);
    expect(second.items.map((l) => l.uuid)).toEqual(user.loginIds.slice(2));
    expect(second.next_cursor).toBeNull();
  });

  it('shows a user their own records by uuid, and any user to an admin', async () => {
    const [user, admin] = await Promise.all([userWithLogins(1), signedIn('admin')]);
    expect((await page(`/user/${user.uuid}/logins`, user.access)).items.map((l) => l.uuid)).toEqual(user.loginIds);
    expect((await page(`/user/${user.uuid}/logins`, admin.access)).items.map((l) => l.uuid)).toEqual(user.loginIds);
  });

  it("answers 404 for another user's records", async () => {
    const [user, other] = await Promise.all([signedIn(), signedIn('celebrity')]);
    await expectProblem(await get(`/user/${user.uuid}/logins`, { token: other.access }), 404);
  });

  it('answers 422 for a limit above 100 and for a bad cursor', async () => {
    const user = await signedIn();
    await expectProblem(await get('/user/me/logins?limit=101', { token: user.access }), 422);
    await expectProblem(await get(`/user/${user.uuid}/logins?cursor=nope`, { token: user.access }), 422);
  });
});

describe('GET /logins', () => {
  it('lists every login record to an admin, newest first', async () => {
    const [a, b] = [await userWithLogins(0), await userWithLogins(1)];
    const admin = await signedIn('admin');
    const all = await page('/logins?limit=100', admin.access);
    const ids = all.items.map((l) => l.uuid);
    for (const id of [...a.loginIds, ...b.loginIds]) expect(ids).toContain(id);
    expect(ids).toEqual([...ids].sort().reverse());
    expect(new Set(all.items.map((l) => l.user_uuid)).size).toBeGreaterThanOrEqual(3);
  });

  it('pages with limit and cursor', async () => {
    const admin = await signedIn('admin');
    await userWithLogins(2);
    const first = await page('/logins?limit=1', admin.access);
    const second = await page(`/logins?limit=1&cursor=${first.next_cursor}`, admin.access);
    expect(second.items[0]!.uuid < first.items[0]!.uuid).toBe(true);
  });

  it('answers 403 to a normal user and 422 for limit=101', async () => {
    const [user, admin] = await Promise.all([signedIn(), signedIn('admin')]);
    await expectProblem(await get('/logins', { token: user.access }), 403);
    await expectProblem(await get('/logins?limit=101', { token: admin.access }), 422);
  });
});

describe('GET one login record', () => {
  it('returns an own record through all three paths', async () => {
    const user = await userWithLogins(0);
    const id = user.loginIds[0]!;
    for (const path of [`/logins/${id}`, `/user/me/logins/${id}`, `/user/${user.uuid}/logins/${id}`]) {
      const res = await get(path, { token: user.access });
      expect(res.status, path).toBe(200);
      expect(LoginRecordSchema.parse(await body(res))).toMatchObject({ uuid: id, user_uuid: user.uuid });
    }
  });

  it("returns another user's record to an admin through /logins/{id} and /user/{uuid}/logins/{id}", async () => {
    const [user, admin] = await Promise.all([userWithLogins(0), signedIn('admin')]);
    const id = user.loginIds[0]!;
    expect((await get(`/logins/${id}`, { token: admin.access })).status).toBe(200);
    expect((await get(`/user/${user.uuid}/logins/${id}`, { token: admin.access })).status).toBe(200);
    // "me" is the admin: someone else's record is not under the admin's own logins.
    await expectProblem(await get(`/user/me/logins/${id}`, { token: admin.access }), 404);
  });

  it("answers 404 for someone else's record, exactly as for a missing one", async () => {
    const [owner, other] = await Promise.all([userWithLogins(0), signedIn()]);
    const id = owner.loginIds[0]!;
    const missing = crypto.randomUUID();
    for (const [hidden, absent] of [
      [`/logins/${id}`, `/logins/${missing}`],
      [`/user/me/logins/${id}`, `/user/me/logins/${missing}`],
      [`/user/${owner.uuid}/logins/${id}`, `/user/${owner.uuid}/logins/${missing}`],
    ] as const) {
      const a = await get(hidden, { token: other.access });
      await expectProblem(a.clone(), 404);
      expect(await a.text()).toBe(await (await get(absent, { token: other.access })).text());
    }
  });

  it('answers 404 for a record asked for under a user who does not own it, even for an admin', async () => {
    const [owner, admin] = await Promise.all([userWithLogins(0), signedIn('admin')]);
    await expectProblem(await get(`/user/${admin.uuid}/logins/${owner.loginIds[0]}`, { token: admin.access }), 404);
  });

  it('answers 404 for an id that is not a uuid', async () => {
    const user = await signedIn();
    await expectProblem(await get('/logins/12', { token: user.access }), 404);
  });
});
