/** Test users made through the JSON API (POST /user), as a client would, for tests that log in. */

export interface TestUser {
  username: string;
  email: string;
  password: string;
  name: string;
  surname: string;
}

/** Long enough, not common, not built from the user's details: the password policy accepts it. */
export const TEST_PASSWORD = 'Velvet harbour quartz 8812 kite';

/** A new user's sign-up fields: a unique username and email, TEST_PASSWORD unless overridden. */
export function newUser(overrides: Partial<TestUser> = {}): TestUser {
  const username = `browser_${crypto.randomUUID().slice(0, 8)}`;
  return { username, email: `${username}@example.com`, password: TEST_PASSWORD, name: 'Ada', surname: 'Tester', ...overrides };
}

/** Signs a user up with `POST /user` (JSON) on the worker at `origin`; fails the test unless 201. */
export async function signUp(origin: string, overrides: Partial<TestUser> = {}): Promise<TestUser> {
  const user = newUser(overrides);
  const res = await fetch(`${origin}/user`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(user) });
  if (res.status !== 201) throw new Error(`POST /user answered ${res.status}: ${await res.text()}`);
  return user;
}
