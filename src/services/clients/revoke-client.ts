import type { Deps } from '../../deps';
import { notFound } from '../../lib/problem';
import { type Access, withCaller } from '../../policy/caller';
import { adminOrOrgAdmin } from '../../policy/rules';
import { auditGuarded } from '../audit/events';
import { exportEvents } from '../audit/export';
import { recordRevocations } from '../revocation';
import { findOrg } from '../orgs/statements';
import { visibleOrg } from '../orgs/visibility';
import { clientActive, revokeClient, revokeClientSessions } from './statements';

/**
 * Revokes a client's key at once, in one batch: its event, every session made through it (their
 * KV records follow), and the client row (its client-credentials tokens stop at the next request).
 */
export async function revokeClientKey(deps: Deps, access: Access, orgId: string, clientId: string): Promise<void> {
  const now = deps.now();
  const rule = adminOrOrgAdmin(orgId);
  const { caller, rows } = await withCaller(deps, access, {
    reads: { org: findOrg(deps.db, orgId) },
    writes: (may) => ({
      event: auditGuarded(deps, now, may.to(rule), {
        event: 'client.revoked',
        actor: access.claims.sub,
        subject: null,
        detail: { organization: orgId, client: clientId },
        when: clientActive(orgId, clientId),
      }),
      sessions: revokeClientSessions(deps.db, may.to(rule), { clientId, orgId }, now),
      revoked: revokeClient(deps.db, may.to(rule), orgId, clientId, now),
    }),
  });
  visibleOrg(caller, rows.org, orgId);
  if (rows.revoked.length === 0) throw notFound('client');
  await recordRevocations(deps.kv, rows.sessions, 'client_revoked', deps.config.ACCESS_TOKEN_TTL_SECONDS, now);
  exportEvents(deps, rows.event);
}
