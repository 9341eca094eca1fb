import { sql } from 'drizzle-orm';
import { clients } from '../../db/schema';
import type { Deps } from '../../deps';
import { uuidv7 } from '../../lib/ids';
import { type Access, withCaller } from '../../policy/caller';
import { adminOrOrgAdmin } from '../../policy/rules';
import { auditGuarded } from '../audit/events';
import { exportEvents } from '../audit/export';
import { findOrg } from '../orgs/statements';
import { visibleOrg } from '../orgs/visibility';
import { newApiKey } from './keys';
import { insertClient } from './statements';

/**
 * Registers a third-party client of organization `orgId` (its admins or a global admin; 404 to
 * anyone else) in one batch with its event. The key is returned here once and never again.
 */
export async function createClient(deps: Deps, access: Access, orgId: string, input: { name: string }) {
  const now = deps.now();
  const id = uuidv7(now);
  const key = await newApiKey();
  const rule = adminOrOrgAdmin(orgId);
  const { caller, rows } = await withCaller(deps, access, {
    reads: { org: findOrg(deps.db, orgId) },
    writes: (may) => ({
      created: insertClient(deps.db, may.to(rule), { id, orgId, name: input.name, hash: key.hash, prefix: key.prefix, now }),
      event: auditGuarded(deps, now, may.to(rule), {
        event: 'client.created',
        actor: access.claims.sub,
        subject: null,
        detail: { organization: orgId, client: id },
        when: sql`exists (select 1 from ${clients} where ${clients.id} = ${id})`,
      }),
    }),
  });
  visibleOrg(caller, rows.org, orgId);
  exportEvents(deps, rows.event);
  return { client: rows.created[0]!, apiKey: key.key };
}
