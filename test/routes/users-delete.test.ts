import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { del, get, post } from '../helpers/api';
import { login, signedIn } from '../helpers/factories';
import { expectProblem, expectUnauthorized } from '../helpers/problems';

const count = async (sql: string, uuid: string) => (await env.DB.prepare(sql).bind(uuid).first<{ n: number }>())!.n;
const rowsOf = (uuid: string) =>
  Promise.all([
    count('select count(*) as n from users where uuid = ?', uuid),
    count('select count(*) as n from logins where user_uuid = ?', uuid),
    count('select count(*) as n from sessions where user_uuid = ?', uuid),
  ]);

describe('DELETE /user/me and /user/{uuid}', () => {
  it('erases the caller with their login records, sessions and photos: 204', async () => {
    const user = await signedIn();
    await login(user); // a second login record and session
    await env.PHOTOS.put(`photos/${user.uuid}/019a8f3e-6b1c-7d2e-9f10-5a6b7c8d9e0f`, new Uint8Array([1, 2, 3]));
    expect(await rowsOf(user.uuid)).toEqual([1, 2, 2]);

    const res = await del('/user/me', { token: user.access });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    expect(await rowsOf(user.uuid)).toEqual([0, 0, 0]);
    expect((await env.PHOTOS.list({ prefix: `photos/${user.uuid}/` })).objects).toHaveLength(0);
  });

  it('leaves the erased user no way back in: old token 401, login invalid_grant', async () => {
    const user = await signedIn();
    expect((await del(`/user/${user.uuid}`, { token: user.access })).status).toBe(204);
    await expectUnauthorized(await get('/user/me', { token: user.access }), true);
    const res = await post('/token', { form: { grant_type: 'password', username: user.username, password: user.password } });
    expect(res.status).toBe(400);
  });

  it('leaves other users untouched', async () => {
    const [user, other] = await Promise.all([signedIn(), signedIn()]);
    expect((await del('/user/me', { token: user.access })).status).toBe(204);
    expect(await rowsOf(other.uuid)).toEqual([1, 1, 1]);
    expect((await get('/user/me', { token: other.access })).status).toBe(200);
  });

  it('answers 403 to an admin deleting another user, and erases nothing', async () => {
    const [admin, user] = await Promise.all([signedIn('admin'), signedIn()]);
    const problem = await expectProblem(await del(`/user/${user.uuid}`, { token: admin.access }), 403);
    expect(problem.detail).toBe('Users are erased only by themselves');
    expect(await rowsOf(user.uuid)).toEqual([1, 1, 1]);
  });

  it('answers 404 to an admin deleting a user that does not exist', async () => {
    const admin = await signedIn('admin');
    await expectProblem(await del(`/user/${crypto.randomUUID()}`, { token: admin.access }), 404);
  });

  it('answers 404 to a normal user deleting another user, and erases nothing', async () => {
    const [user, other] = await Promise.all([signedIn(), signedIn()]);
    await expectProblem(await del(`/user/${other.uuid}`, { token: user.access }), 404);
    expect(await rowsOf(other.uuid)).toEqual([1, 1, 1]);
  });
});
