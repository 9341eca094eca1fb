import type { OrganizationRow } from '../../db/schema';
import type { Deps } from '../../deps';
import { toPage } from '../../lib/pagination';
import { type Access, withCaller } from '../../policy/caller';
import { findOrg, orgsPage } from './statements';
import { visibleOrg } from './visibility';

/** Every organization, newest first (the route's rule: admin). */
export async function listOrgs(deps: Deps, access: Access, q: { limit: number; after?: string }) {
  const { rows } = await withCaller(deps, access, { reads: { page: orgsPage(deps.db, q) } });
  return toPage(rows.page, q.limit, (o) => o.id);
}

/** One organization: for a global admin and its own admins; 404 for everyone else. */
export async function getOrg(deps: Deps, access: Access, id: string): Promise<OrganizationRow> {
  const { caller, rows } = await withCaller(deps, access, { reads: { found: findOrg(deps.db, id) } });
  return visibleOrg(caller, rows.found, id);
}
