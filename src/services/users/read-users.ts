import type { User } from '../../db/schema';
import { forbidden, notFound } from '../../lib/problem';
import { toPage } from '../../lib/pagination';
import { type Access, withCaller } from '../../policy/caller';
import { allows, type Rule, selfOrAdmin, type Subject, userReader } from '../../policy/rules';
import type { Deps } from '../../deps';
import { findUser, usersPage } from './statements';

/** The caller themselves. */
export async function getMe(deps: Deps, access: Access): Promise<User> {
  const { caller } = await withCaller(deps, access, {});
  // A client's token names no user to be "me".
  if (access.claims.client) throw forbidden("A client's token may only list and read its organization's members");
  return caller;
}

/**
 * The user `uuid` as the caller may see them under `rule`: by default themselves or anyone for an
 * admin (their records: logins, photos, sessions); the user itself also to the admins and clients'
 * tokens of their organization (`userReader`). Anything else is the same 404 as a user that does
 * not exist, so existence never leaks.
 */
export function visibleUser(caller: Subject, uuid: string, found: User[], rule: Rule = selfOrAdmin(uuid)): User {
  const user = found[0];
  if (!user || !allows(rule, caller, { orgOf: { [uuid]: user.organizationId } })) throw notFound('user');
  return user;
}

export async function getUser(deps: Deps, access: Access, uuid: string): Promise<User> {
  const { caller, rows } = await withCaller(deps, access, { reads: { found: findUser(deps.db, uuid) } });
  return visibleUser(caller, uuid, rows.found, userReader(uuid));
}

/** Every user, newest first (the route's rule: admin). */
export async function listUsers(deps: Deps, access: Access, q: { limit: number; after?: string; role?: User['role'] }) {
  const { rows } = await withCaller(deps, access, { reads: { page: usersPage(deps.db, q) } });
  return toPage(rows.page, q.limit, (u) => u.uuid);
}
