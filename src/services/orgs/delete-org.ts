import type { Deps } from '../../deps';
import { forbidden } from '../../lib/problem';
import { type Access, withCaller } from '../../policy/caller';
import { admin, allows } from '../../policy/rules';
import { auditGuarded } from '../audit/events';
import { exportEvents } from '../audit/export';
import { recordRevocations } from '../revocation';
import { revokeClientSessions } from '../clients/statements';
import { deleteOrg, detachMembers, findOrg, orgExists } from './statements';
import { visibleOrg } from './visibility';

/**
 * Deletes an organization (global admin) in one batch: its event, the sessions made through its
 * clients' keys revoked, its members detached, then the row (its clients and invitations cascade).
 */
export async function deleteOrganization(deps: Deps, access: Access, id: string): Promise<void> {
  const now = deps.now();
  const { caller, rows } = await withCaller(deps, access, {
    reads: { found: findOrg(deps.db, id) },
    writes: (may) => ({
      event: auditGuarded(deps, now, may.to(admin), {
        event: 'org.deleted',
        actor: access.claims.sub,
        subject: null,
        detail: { organization: id },
        when: orgExists(id),
      }),
      revoked: revokeClientSessions(deps.db, may.to(admin), { orgId: id }, now),
      detached: detachMembers(deps.db, may.to(admin), id, now),
      deleted: deleteOrg(deps.db, may.to(admin), id),
    }),
  });
  visibleOrg(caller, rows.found, id);
  if (!allows(admin, caller)) throw forbidden('Only an admin may delete an organization');
  await recordRevocations(deps.kv, rows.revoked, 'client_revoked', deps.config.ACCESS_TOKEN_TTL_SECONDS, now);
  exportEvents(deps, rows.event);
}
