import { sql } from 'drizzle-orm';
import { type OrgRole, type User, users } from '../../db/schema';
import type { Deps } from '../../deps';
import { ApiError, notFound } from '../../lib/problem';
import { type Access, withCaller } from '../../policy/caller';
import { allows, memberManager } from '../../policy/rules';
import { auditGuarded } from '../audit/events';
import { exportEvents } from '../audit/export';
import { findUser } from '../users/statements';
import { findOrg, setMembership } from './statements';
import { orgFacts, visibleOrg } from './visibility';

export const otherOrganization = () => new ApiError('other_organization', 'The user already belongs to another organization');

/**
 * Sets user `uuid`'s membership of organization `orgId` to `role` in one batch. A global admin
 * sets anyone's (a user in another organization is a 409: leave it first); an organization's
 * admin changes the role of its own members only: any other user is a 404 to them, as is an
 * organization they do not run.
 */
export async function setMember(deps: Deps, access: Access, orgId: string, uuid: string, role: OrgRole): Promise<User> {
  const now = deps.now();
  const rule = memberManager(orgId, uuid);
  const { caller, rows } = await withCaller(deps, access, {
    reads: { org: findOrg(deps.db, orgId), found: findUser(deps.db, uuid) },
    writes: (may) => ({
      event: auditGuarded(deps, now, may.to(rule), {
        event: 'org.member_set',
        actor: access.claims.sub,
        subject: uuid,
        detail: { organization: orgId, role },
        when: sql`exists (select 1 from ${users} where ${users.uuid} = ${uuid} and (${users.organizationId} is null or ${users.organizationId} = ${orgId}))`,
      }),
      updated: setMembership(deps.db, may.to(rule), { uuid, orgId, role, now }),
    }),
  });
  visibleOrg(caller, rows.org, orgId);
  const target = rows.found[0];
  if (!target || !allows(rule, caller, orgFacts(uuid, rows.found))) throw notFound('user');
  const updated = rows.updated[0];
  if (!updated) throw otherOrganization();
  exportEvents(deps, rows.event);
  return updated;
}
