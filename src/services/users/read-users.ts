import type { User } from '../../db/schema';
import { notFound } from '../../lib/problem';
import { toPage } from '../../lib/pagination';
import { type Access, withCaller } from '../../policy/caller';
import { allows, selfOrAdmin } from '../../policy/rules';
import type { Deps } from '../../deps';
import { findUser, usersPage } from './statements';

/** The caller themselves. */
export async function getMe(deps: Deps, access: Access): Promise<User> {
  return (await withCaller(deps, access, {})).caller;
}

/**
 * The user `uuid` as the caller may see them: themselves, or anyone for an admin. Anything else
 * is the same 404 as a user that does not exist, so existence never leaks.
 */
export function visibleUser(caller: User, uuid: string, found: User[]): User {
  if (uuid === caller.uuid) return caller;
  const user = found[0];
  if (!user || !allows(selfOrAdmin(uuid), caller)) throw notFound('user');
  return user;
}

export async function getUser(deps: Deps, access: Access, uuid: string): Promise<User> {
  const { caller, rows } = await withCaller(deps, access, { reads: { found: findUser(deps.db, uuid) } });
  return visibleUser(caller, uuid, rows.found);
}

/** Every user, newest first (the route's rule: admin). */
export async function listUsers(deps: Deps, access: Access, q: { limit: number; after?: string; role?: User['role'] }) {
  const { rows } = await withCaller(deps, access, { reads: { page: usersPage(deps.db, q) } });
  return toPage(rows.page, q.limit, (u) => u.uuid);
}
