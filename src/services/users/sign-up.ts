import { type User, userColumns, users } from '../../db/schema';
import { runBatch, write } from '../../db/statement';
import { uuidv7 } from '../../lib/ids';
import { tooMany } from '../../lib/problem';
import { emailKey, usernameKey } from '../../lib/text';
import type { Deps } from '../../deps';
import { IP_LIMIT_PERIOD_SECONDS, withinIpLimit } from '../ip-limits';
import { assertPasswordAllowed } from './password-rules';
import { conflictFrom } from './statements';

export interface NewUser {
  username: string;
  email: string;
  password: string;
  name: string;
  surname: string;
  city?: string;
  organization?: string;
  designation?: string;
  mobile?: string;
}

/**
 * Signs a user up with role `normal`: the per-IP limit, the password policy, PBKDF2, then one
 * INSERT … RETURNING whose unique indexes decide username and email conflicts (409).
 */
export async function signUp(deps: Deps, input: NewUser): Promise<User> {
  if (!(await withinIpLimit(deps, 'signup'))) {
    throw tooMany('rate_limited', 'Too many sign-ups from this address; try again later', IP_LIMIT_PERIOD_SECONDS * 1000);
  }
  await assertPasswordAllowed(deps, input.password, input);
  const passwordHash = await deps.passwords.hash(input.password);
  const now = deps.now();
  const insert = deps.db
    .insert(users)
    .values({
      uuid: uuidv7(now),
      username: input.username,
      usernameKey: usernameKey(input.username),
      email: input.email,
      emailKey: emailKey(input.email),
      name: input.name,
      surname: input.surname,
      city: input.city ?? null,
      organization: input.organization ?? null,
      designation: input.designation ?? null,
      mobile: input.mobile ?? null,
      role: 'normal',
      passwordHash,
      createdAt: now,
      updatedAt: now,
    })
    .returning(userColumns);
  try {
    const { created } = await runBatch(deps.db, { created: write(insert) });
    return created[0]!;
  } catch (err) {
    throw conflictFrom(err) ?? err;
  }
}
