import type { Deps } from '../../deps';
import { toPage } from '../../lib/pagination';
import { type Access, withCaller } from '../../policy/caller';
import { findOrg } from '../orgs/statements';
import { visibleOrg } from '../orgs/visibility';
import { clientsPage } from './statements';

/** An organization's active clients (never a key or its hash): its admins and a global admin; 404 to anyone else. */
export async function listClients(deps: Deps, access: Access, orgId: string, q: { limit: number; after?: string }) {
  const { caller, rows } = await withCaller(deps, access, { reads: { org: findOrg(deps.db, orgId), page: clientsPage(deps.db, orgId, q) } });
  visibleOrg(caller, rows.org, orgId);
  return toPage(rows.page, q.limit, (c) => c.id);
}
