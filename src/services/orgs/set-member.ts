import { sql } from 'drizzle-orm';
import { type OrgRole, type User, users } from '../../db/schema';
import type { Deps } from '../../deps';
import { ApiError } from '../../lib/problem';
import type { Access } from '../../policy/caller';
import { exportEvents } from '../audit/export';
import { changeMembership } from './change-membership';
import { setMembership } from './statements';

export const otherOrganization = () => new ApiError('other_organization', 'The user already belongs to another organization');

/**
 * Sets user `uuid`'s membership of organization `orgId` to `role` in one batch. A global admin
 * sets anyone's (a user in another organization is a 409: leave it first); an organization's
 * admin changes the role of its own members only: any other user is a 404 to them, as is an
 * organization they do not run.
 */
export async function setMember(deps: Deps, access: Access, orgId: string, uuid: string, role: OrgRole): Promise<User> {
  const { written, event } = await changeMembership(deps, access, orgId, uuid, {
    event: 'org.member_set',
    detail: { organization: orgId, role },
    when: sql`exists (select 1 from ${users} where ${users.uuid} = ${uuid} and (${users.organizationId} is null or ${users.organizationId} = ${orgId}))`,
    write: (guard, now) => setMembership(deps.db, guard, { uuid, orgId, role, now }),
  });
  const updated = written[0];
  if (!updated) throw otherOrganization();
  exportEvents(deps, event);
  return updated;
}
