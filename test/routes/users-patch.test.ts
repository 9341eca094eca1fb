import { describe, expect, it } from 'vitest';
import { UserSchema } from '../../src/schemas/user';
import { body, get, patch, post } from '../helpers/api';
import { login, signedIn } from '../helpers/factories';
import { expectProblem, expectUnauthorized } from '../helpers/problems';
import { roleOf } from '../helpers/photos';

describe('PATCH /user/me and /user/{uuid} by the user themselves', () => {
  it('changes the username and profile fields, and the new username logs in', async () => {
    const user = await signedIn();
    const username = `${user.username}_new`;
    const res = await patch('/user/me', {
      token: user.access,
      json: { username, city: 'Zürich', organization: 'ETH', designation: 'Prof', mobile: '+41 44 632 11 11' },
    });
    expect(res.status).toBe(200);
    const updated = UserSchema.parse(await body(res));
    expect(updated).toMatchObject({ uuid: user.uuid, username, city: 'Zürich', organization: 'ETH', mobile: '+41 44 632 11 11', email: user.email });
    expect(Date.parse(updated.updated_at)).toBeGreaterThanOrEqual(Date.parse(updated.created_at));
    await login({ username, password: user.password });
    const old = await post('/token', { form: { grant_type: 'password', username: user.username, password: user.password } });
    expect(old.status).toBe(400);
  });

  it('clears a profile field with null through the uuid form', async () => {
    const user = await signedIn();
    await patch('/user/me', { token: user.access, json: { city: 'Oslo' } });
    const res = await patch(`/user/${user.uuid}`, { token: user.access, json: { city: null } });
    expect(res.status).toBe(200);
    expect(UserSchema.parse(await body(res)).city).toBeNull();
  });

  for (const field of ['email', 'name', 'surname', 'uuid'] as const) {
    it(`refuses a change of ${field} with 422`, async () => {
      const user = await signedIn();
      const value = field === 'email' ? 'new@example.com' : field === 'uuid' ? crypto.randomUUID() : 'Other';
      const problem = await expectProblem(await patch('/user/me', { token: user.access, json: { [field]: value } }), 422);
      expect(problem.errors).toEqual([{ path: field, message: 'is not a field that can be set here' }]);
      const me = await body<Record<string, unknown>>(await get('/user/me', { token: user.access }));
      expect(me[field]).not.toBe(value);
    });
  }

  it('answers 422 for an invalid username', async () => {
    const user = await signedIn();
    const problem = await expectProblem(await patch('/user/me', { token: user.access, json: { username: 'no spaces allowed' } }), 422);
    expect(problem.errors!.map((e) => e.path)).toEqual(['username']);
  });

  for (const change of [{ role: 'admin' }, { disabled: false }]) {
    it(`answers 403 to a non-admin sending ${Object.keys(change)[0]}`, async () => {
      const user = await signedIn('celebrity');
      await expectProblem(await patch(`/user/${user.uuid}`, { token: user.access, json: change }), 403);
      expect(await roleOf(user.uuid)).toBe('celebrity');
    });
  }

  it('answers 409 when the username is taken by someone else, in any case', async () => {
    const [user, other] = await Promise.all([signedIn(), signedIn()]);
    const problem = await expectProblem(await patch('/user/me', { token: user.access, json: { username: other.username.toUpperCase() } }), 409);
    expect(problem.errors).toEqual([{ path: 'username', message: 'is taken' }]);
  });

  it("answers 404 to a non-admin patching someone else's account", async () => {
    const [user, other] = await Promise.all([signedIn(), signedIn()]);
    await expectProblem(await patch(`/user/${other.uuid}`, { token: user.access, json: { city: 'Nowhere' } }), 404);
    expect((await body(await get('/user/me', { token: other.access }))).city).toBeNull();
  });

  it('answers 415 for text/plain and 400 for malformed JSON', async () => {
    const user = await signedIn();
    await expectProblem(await patch('/user/me', { token: user.access, body: '{"city":"x"}', headers: { 'content-type': 'text/plain' } }), 415);
    await expectProblem(await patch('/user/me', { token: user.access, body: '{"city":', headers: { 'content-type': 'application/json' } }), 400);
  });
});

describe('PATCH /user/{uuid} by an admin', () => {
  it("changes another user's role and revokes that user's sessions", async () => {
    const [admin, user] = await Promise.all([signedIn('admin'), signedIn()]);
    const res = await patch(`/user/${user.uuid}`, { token: admin.access, json: { role: 'celebrity', city: 'Paris' } });
    expect(res.status).toBe(200);
    expect(UserSchema.parse(await body(res))).toMatchObject({ role: 'celebrity', city: 'Paris' });
    await expectUnauthorized(await get('/user/me', { token: user.access }), true);
    const again = await login(user);
    expect((await body(await get('/user/me', { token: again.access }))).role).toBe('celebrity');
  });

  it('disables a user: their token stops working and they cannot log in', async () => {
    const [admin, user] = await Promise.all([signedIn('admin'), signedIn()]);
    const res = await patch(`/user/${user.uuid}`, { token: admin.access, json: { disabled: true } });
    expect(res.status).toBe(200);
    expect(UserSchema.parse(await body(res)).disabled).toBe(true);
    await expectUnauthorized(await get('/user/me', { token: user.access }), true);
    const denied = await post('/token', { form: { grant_type: 'password', username: user.username, password: user.password } });
    expect(denied.status).toBe(400);
    expect((await body(denied)).error).toBe('invalid_grant');
  });

  it('still refuses email, name, surname and uuid with 422', async () => {
    const [admin, user] = await Promise.all([signedIn('admin'), signedIn()]);
    const problem = await expectProblem(await patch(`/user/${user.uuid}`, { token: admin.access, json: { email: 'x@example.com', name: 'X' } }), 422);
    expect(problem.errors!.map((e) => e.path).sort()).toEqual(['email', 'name']);
  });

  it('demotes themselves through /user/me: 200 with the new role, and their own sessions end', async () => {
    const admin = await signedIn('admin');
    const res = await patch('/user/me', { token: admin.access, json: { role: 'normal' } });
    expect(res.status).toBe(200);
    expect(UserSchema.parse(await body(res)).role).toBe('normal');
    expect(await roleOf(admin.uuid)).toBe('normal');
    await expectUnauthorized(await get('/user/me', { token: admin.access }), true);
  });

  it('answers 404 for a user that does not exist', async () => {
    const admin = await signedIn('admin');
    await expectProblem(await patch(`/user/${crypto.randomUUID()}`, { token: admin.access, json: { role: 'normal' } }), 404);
  });
});
