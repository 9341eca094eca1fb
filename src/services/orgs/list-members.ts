import type { Deps } from '../../deps';
import { toPage } from '../../lib/pagination';
import { type Access, withCaller } from '../../policy/caller';
import { orgReader } from '../../policy/rules';
import { findOrg, membersPage } from './statements';
import { visibleOrg } from './visibility';

/** An organization's members, newest first: for its admins, its clients' tokens and a global admin; 404 for anyone else. */
export async function listMembers(deps: Deps, access: Access, orgId: string, q: { limit: number; after?: string }) {
  const { caller, rows } = await withCaller(deps, access, { reads: { found: findOrg(deps.db, orgId), page: membersPage(deps.db, orgId, q) } });
  visibleOrg(caller, rows.found, orgId, orgReader(orgId));
  return toPage(rows.page, q.limit, (u) => u.uuid);
}
