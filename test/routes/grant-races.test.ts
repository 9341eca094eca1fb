import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { passwordGrant, type PasswordGrantResult } from '../../src/services/auth/password-grant';
import { del, get, patch, put } from '../helpers/api';
import { testDeps } from '../helpers/deps';
import { PASSWORD, signedIn, type SignedIn } from '../helpers/factories';

/**
 * A password grant reads the user, runs PBKDF2, then writes its session. These tests hold the
 * grant still inside PBKDF2 (the `passwords` seam of its dependencies), make a change to the
 * user through the real API in that gap, then let the grant finish: exactly the interleaving
 * two isolates produce in production. The grant must create nothing that works afterwards.
 */
function heldGrant(user: { username: string }, password = PASSWORD) {
  const deps = testDeps();
  let release!: () => void;
  let reached!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const atHash = new Promise<void>((r) => (reached = r));
  const held = testDeps({
    passwords: {
      ...deps.passwords,
      verify: async (p, stored) => {
        reached();
        await gate;
        return deps.passwords.verify(p, stored);
      },
    },
  });
  const result = passwordGrant(held, { login: user.username, password });
  return { result, atHash, release };
}

const sessionCount = async (uuid: string) =>
  (await env.DB.prepare('select count(*) as n from sessions where user_uuid = ? and revoked_at is null').bind(uuid).first<{ n: number }>())!.n;
const loginCount = async (uuid: string) => (await env.DB.prepare('select count(*) as n from logins where user_uuid = ?').bind(uuid).first<{ n: number }>())!.n;

async function race(user: SignedIn, change: () => Promise<Response>, expectedStatus: number): Promise<PasswordGrantResult> {
  const grant = heldGrant(user);
  await grant.atHash;
  expect((await change()).status).toBe(expectedStatus);
  grant.release();
  return grant.result;
}

describe('a password grant racing a change to its user', () => {
  it('issues tokens when nothing happens in between (the control)', async () => {
    const user = await signedIn();
    const grant = heldGrant(user);
    await grant.atHash;
    grant.release();
    const result = await grant.result;
    expect(result.kind).toBe('issued');
    if (result.kind === 'issued') expect((await get('/user/me', { token: result.handOut.accessToken })).status).toBe(200);
  });

  it('creates no session, login record or refresh token when the password changed in between', async () => {
    const user = await signedIn();
    const logins = await loginCount(user.uuid);
    const result = await race(
      user,
      () => put('/user/me/password', { token: user.access, json: { current_password: PASSWORD, new_password: `${PASSWORD} changed` } }),
      204,
    );
    expect(result).toEqual({ kind: 'refused' });
    expect(await sessionCount(user.uuid)).toBe(1); // the one that changed the password
    expect(await loginCount(user.uuid)).toBe(logins);
  });

  it('creates no session when the user logged out everywhere in between', async () => {
    const user = await signedIn();
    expect(await race(user, () => del(`/user/${user.uuid}/sessions`, { token: user.access }), 204)).toEqual({ kind: 'refused' });
    expect(await sessionCount(user.uuid)).toBe(0);
  });

  it('creates no session when an admin changed the role or disabled the user in between', async () => {
    const admin = await signedIn('admin');
    for (const change of [{ role: 'celebrity' }, { disabled: true }]) {
      const user = await signedIn();
      expect(await race(user, () => patch(`/user/${user.uuid}`, { token: admin.access, json: change }), 200)).toEqual({ kind: 'refused' });
      expect(await sessionCount(user.uuid)).toBe(0);
    }
  });

  it('still issues tokens when the change in between does not touch access (a profile edit)', async () => {
    const user = await signedIn();
    const result = await race(user, () => patch('/user/me', { token: user.access, json: { city: 'Lisbon' } }), 200);
    expect(result.kind).toBe('issued');
  });
});
