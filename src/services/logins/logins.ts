import type { LoginRow } from '../../db/schema';
import { notFound } from '../../lib/problem';
import { type Access, withCaller } from '../../policy/caller';
import { allows, selfOrAdmin } from '../../policy/rules';
import type { Deps } from '../../deps';
import { visibleUser } from '../users/read-users';
import { findUser } from '../users/statements';
import { loginQuery, loginsPage, loginsPageQuery } from './statements';

type PageQuery = { limit: number; after?: string };

// Each reads its rows in the caller's batch (one D1 round trip) and decides visibility once the
// caller is known; rows fetched for a refused caller are dropped.

export async function listMyLogins(deps: Deps, access: Access, q: PageQuery) {
  const { rows } = await withCaller(deps, access, { reads: { page: loginsPageQuery(deps.db, { userUuid: access.claims.sub, ...q }) } });
  return loginsPage(rows.page, q.limit);
}

/** A user's records: self or admin; anyone else the 404 of a missing user. */
export async function listUserLogins(deps: Deps, access: Access, uuid: string, q: PageQuery) {
  const { caller, rows } = await withCaller(deps, access, {
    reads: { found: findUser(deps.db, uuid), page: loginsPageQuery(deps.db, { userUuid: uuid, ...q }) },
  });
  visibleUser(caller, uuid, rows.found);
  return loginsPage(rows.page, q.limit);
}

/** Every record (the route's rule: admin). */
export async function listAllLogins(deps: Deps, access: Access, q: PageQuery) {
  const { rows } = await withCaller(deps, access, { reads: { page: loginsPageQuery(deps.db, q) } });
  return loginsPage(rows.page, q.limit);
}

/**
 * One record, when its owner is `owner` (a path's user; the caller for `/user/me/…`; any for
 * `/logins/{id}`) and the caller may see that user's records. Otherwise the 404 of a missing one.
 */
export async function getLogin(deps: Deps, access: Access, id: string, owner?: string | 'me'): Promise<LoginRow> {
  const { caller, rows } = await withCaller(deps, access, { reads: { found: loginQuery(deps.db, id) } });
  const login = rows.found[0];
  const expected = owner === 'me' ? caller.uuid : owner;
  if (!login || (expected !== undefined && login.userUuid !== expected) || !allows(selfOrAdmin(login.userUuid), caller)) throw notFound('login record');
  return login;
}
