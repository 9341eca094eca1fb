import { sql } from 'drizzle-orm';
import { users } from '../../db/schema';
import type { Deps } from '../../deps';
import { notFound } from '../../lib/problem';
import type { Access } from '../../policy/caller';
import { exportEvents } from '../audit/export';
import { changeMembership } from './change-membership';
import { removeMembership } from './statements';

/** Removes user `uuid` from organization `orgId` (global admin, or an admin of it for its own members); 404 when they are not in it. */
export async function removeMember(deps: Deps, access: Access, orgId: string, uuid: string): Promise<void> {
  const { written, event } = await changeMembership(deps, access, orgId, uuid, {
    event: 'org.member_removed',
    detail: { organization: orgId },
    when: sql`exists (select 1 from ${users} where ${users.uuid} = ${uuid} and ${users.organizationId} = ${orgId})`,
    write: (guard, now) => removeMembership(deps.db, guard, { uuid, orgId, now }),
  });
  if (written.length === 0) throw notFound('user');
  exportEvents(deps, event);
}
