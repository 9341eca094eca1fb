import { sql } from 'drizzle-orm';
import { organizations, type OrganizationRow } from '../../db/schema';
import type { Deps } from '../../deps';
import { forbidden } from '../../lib/problem';
import { type Access, withCaller } from '../../policy/caller';
import { admin, allows } from '../../policy/rules';
import { auditGuarded } from '../audit/events';
import { exportEvents } from '../audit/export';
import { findOrg, renameOrg } from './statements';
import { visibleOrg } from './visibility';

/** Renames an organization (global admin); its own admins see it but get 403, anyone else 404. */
export async function renameOrganization(deps: Deps, access: Access, id: string, input: { name: string }): Promise<OrganizationRow> {
  const now = deps.now();
  const { caller, rows } = await withCaller(deps, access, {
    reads: { found: findOrg(deps.db, id) },
    writes: (may) => ({
      event: auditGuarded(deps, now, may.to(admin), {
        event: 'org.renamed',
        actor: access.claims.sub,
        subject: null,
        detail: { organization: id },
        when: sql`exists (select 1 from ${organizations} where ${organizations.id} = ${id})`,
      }),
      renamed: renameOrg(deps.db, may.to(admin), id, input.name, now),
    }),
  });
  visibleOrg(caller, rows.found, id);
  if (!allows(admin, caller)) throw forbidden('Only an admin may rename an organization');
  exportEvents(deps, rows.event);
  return rows.renamed[0]!;
}
