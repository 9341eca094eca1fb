import type { OrganizationRow } from '../../db/schema';
import type { Deps } from '../../deps';
import { uuidv7 } from '../../lib/ids';
import { type Access, withCaller } from '../../policy/caller';
import { admin } from '../../policy/rules';
import { auditGuarded } from '../audit/events';
import { exportEvents } from '../audit/export';
import { orgExists, insertOrg } from './statements';

/** Creates an organization (global admin, the route's rule) with its event, in the caller batch. */
export async function createOrg(deps: Deps, access: Access, input: { name: string }): Promise<OrganizationRow> {
  const now = deps.now();
  const id = uuidv7(now);
  const { rows } = await withCaller(deps, access, {
    writes: (may) => ({
      created: insertOrg(deps.db, may.to(admin), { id, name: input.name, now }),
      event: auditGuarded(deps, now, may.to(admin), {
        event: 'org.created',
        actor: access.claims.sub,
        subject: null,
        detail: { organization: id },
        when: orgExists(id),
      }),
    }),
  });
  exportEvents(deps, rows.event);
  return rows.created[0]!;
}
