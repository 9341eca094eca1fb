import type { Deps } from '../../deps';
import { notFound } from '../../lib/problem';
import { type Access, withCaller } from '../../policy/caller';
import { memberManager } from '../../policy/rules';
import { allows } from '../../policy/rules';
import { auditGuarded } from '../audit/events';
import { exportEvents } from '../audit/export';
import { findUser } from '../users/statements';
import { findOrg, removeMembership } from './statements';
import { orgFacts, visibleOrg } from './visibility';
import { sql } from 'drizzle-orm';
import { users } from '../../db/schema';

/** Removes user `uuid` from organization `orgId` (global admin, or an admin of it for its own members); 404 when they are not in it. */
export async function removeMember(deps: Deps, access: Access, orgId: string, uuid: string): Promise<void> {
  const now = deps.now();
  const rule = memberManager(orgId, uuid);
  const { caller, rows } = await withCaller(deps, access, {
    reads: { org: findOrg(deps.db, orgId), found: findUser(deps.db, uuid) },
    writes: (may) => ({
      event: auditGuarded(deps, now, may.to(rule), {
        event: 'org.member_removed',
        actor: access.claims.sub,
        subject: uuid,
        detail: { organization: orgId },
        when: sql`exists (select 1 from ${users} where ${users.uuid} = ${uuid} and ${users.organizationId} = ${orgId})`,
      }),
      removed: removeMembership(deps.db, may.to(rule), { uuid, orgId, now }),
    }),
  });
  visibleOrg(caller, rows.org, orgId);
  if (!rows.found[0] || !allows(rule, caller, orgFacts(uuid, rows.found)) || rows.removed.length === 0) throw notFound('user');
  exportEvents(deps, rows.event);
}
