import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { post, put } from '../helpers/api';
import { login, PASSWORD, signedIn } from '../helpers/factories';
import { expectProblem, expectUnauthorized } from '../helpers/problems';

const counter = async (uuid: string) =>
  env.DB.prepare('select failures from login_throttle where key = ?').bind(`password:${uuid}`).first<{ failures: number }>();
const change = (token: string, current: string, next = `${PASSWORD} renewed`) =>
  put('/user/me/password', { token, json: { current_password: current, new_password: next } });

/** A refused caller changes nothing, counters included; a refused new password is not a wrong current one. */
describe('PUT /user/me/password and its per-account counter', () => {
  it('is not written by a revoked token: seven guesses with it leave the victim free to change their password', async () => {
    const victim = await signedIn();
    const stolen = await login(victim);
    expect((await post('/token/revoke', { form: { token: stolen.refresh } })).status).toBe(200);
    for (let i = 0; i < 7; i++) await expectUnauthorized(await change(stolen.access, `guess ${i}`), true);
    expect(await counter(victim.uuid)).toBeNull();
    expect((await change(victim.access, PASSWORD)).status).toBe(204);
  });

  it('is not written by a disabled user', async () => {
    const user = await signedIn();
    await env.DB.prepare('update users set disabled = 1 where uuid = ?').bind(user.uuid).run();
    for (let i = 0; i < 3; i++) await expectUnauthorized(await change(user.access, `guess ${i}`), true);
    expect(await counter(user.uuid)).toBeNull();
  });

  it('does not count new passwords the policy refuses: five of them, then the right change goes through', async () => {
    const user = await signedIn();
    for (let i = 0; i < 5; i++) {
      const problem = await expectProblem(await change(user.access, PASSWORD, `my ${user.username} is long enough ${i}`), 422, 'password_rejected');
      expect(problem.errors?.[0]?.path).toBe('new_password');
    }
    expect(await counter(user.uuid)).toBeNull();
    expect((await change(user.access, PASSWORD)).status).toBe(204);
  });
});
