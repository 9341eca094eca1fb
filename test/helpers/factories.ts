import { env } from 'cloudflare:workers';
import { expect } from 'vitest';
import { body, post } from './api';

let counter = 0;
const run = crypto.randomUUID().slice(0, 6);

/** A password that passes the policy and is unique to this test run. */
export const PASSWORD = `Correct horse battery ${run} staple`;

export interface TestUser {
  uuid: string;
  username: string;
  email: string;
  password: string;
  role: string;
}

export interface SignedIn extends TestUser {
  access: string;
  refresh: string;
}

/** Signs a new user up through the API (role normal, then set in D1 when asked). */
export async function createUser(overrides: { role?: 'normal' | 'celebrity' | 'admin'; name?: string; surname?: string } = {}): Promise<TestUser> {
  counter += 1;
  const username = `u${run}_${counter}`;
  const email = `${username}@example.com`;
  const res = await post('/user', {
    json: { username, email, password: PASSWORD, name: overrides.name ?? 'Test', surname: overrides.surname ?? 'User' },
  });
  expect(res.status).toBe(201);
  const user = await body<{ uuid: string }>(res);
  const role = overrides.role ?? 'normal';
  if (role !== 'normal') await env.DB.prepare('update users set role = ? where uuid = ?').bind(role, user.uuid).run();
  return { uuid: user.uuid, username, email, password: PASSWORD, role };
}

/** Password grant for a user: fresh access and refresh tokens. */
export async function login(user: { username: string; password: string }): Promise<{ access: string; refresh: string }> {
  const res = await post('/token', { form: { grant_type: 'password', username: user.username, password: user.password } });
  expect(res.status).toBe(200);
  const tokens = await body<{ access_token: string; refresh_token: string }>(res);
  return { access: tokens.access_token, refresh: tokens.refresh_token };
}

/** A new user with the given role, signed in. */
export async function signedIn(role: 'normal' | 'celebrity' | 'admin' = 'normal', names?: { name?: string; surname?: string }): Promise<SignedIn> {
  const user = await createUser({ role, ...names });
  return { ...user, ...(await login(user)) };
}
