import { describe, expect, it } from 'vitest';
import { UserSchema } from '../../src/schemas/user';
import { body, get } from '../helpers/api';
import { signedIn } from '../helpers/factories';
import { expectProblem, expectUnauthorized } from '../helpers/problems';

const MISSING_UUID = '019a8f3e-6b1c-7d2e-9f10-5a6b7c8d9e0f';

describe('GET /user/me', () => {
  it('returns the caller as a User, without any hash', async () => {
    const user = await signedIn();
    const res = await get('/user/me', { token: user.access });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const me = UserSchema.parse(await body(res));
    expect(me).toMatchObject({ uuid: user.uuid, username: user.username, email: user.email, role: 'normal', disabled: false });
    expect(me.last_login_at).not.toBeNull();
  });

  it('answers 401 with a bare Bearer challenge when no token is sent', async () => {
    await expectUnauthorized(await get('/user/me'), false);
  });

  it('answers 401 invalid_token for a non-Bearer Authorization header', async () => {
    await expectUnauthorized(await get('/user/me', { headers: { authorization: 'Basic dXNlcjpwYXNz' } }), true);
  });
});

describe('GET /user/{uuid}', () => {
  it('returns the caller themselves', async () => {
    const user = await signedIn();
    const res = await get(`/user/${user.uuid}`, { token: user.access });
    expect(res.status).toBe(200);
    expect(UserSchema.parse(await body(res)).uuid).toBe(user.uuid);
  });

  it('returns anyone to an admin', async () => {
    const [admin, other] = await Promise.all([signedIn('admin'), signedIn()]);
    const res = await get(`/user/${other.uuid}`, { token: admin.access });
    expect(res.status).toBe(200);
    expect(UserSchema.parse(await body(res))).toMatchObject({ uuid: other.uuid, username: other.username });
  });

  it("answers another user's uuid exactly as a missing one: 404, same bytes", async () => {
    const [caller, other] = await Promise.all([signedIn('celebrity'), signedIn()]);
    const hidden = await get(`/user/${other.uuid}`, { token: caller.access });
    const missing = await get(`/user/${MISSING_UUID}`, { token: caller.access });
    await expectProblem(hidden.clone(), 404);
    expect(await hidden.text()).toBe(await missing.text());
  });

  it('answers 404 to an admin for a user that does not exist', async () => {
    const admin = await signedIn('admin');
    await expectProblem(await get(`/user/${MISSING_UUID}`, { token: admin.access }), 404);
  });

  it('answers 404 for a path id that is not a uuid', async () => {
    const user = await signedIn();
    await expectProblem(await get('/user/not-a-uuid', { token: user.access }), 404);
  });
});
