import type { SQL } from 'drizzle-orm';
import type { Statement } from '../../db/statement';
import type { Deps } from '../../deps';
import { notFound } from '../../lib/problem';
import { type Access, withCaller } from '../../policy/caller';
import type { Guard } from '../../policy/guard';
import { allows, memberManager } from '../../policy/rules';
import { type AuditEvent, auditGuarded } from '../audit/events';
import { findUser } from '../users/statements';
import { findOrg } from './statements';
import { orgFacts, visibleOrg } from './visibility';

/**
 * The one batch of a membership change (`PUT` and `DELETE /organizations/{id}/members/{uuid}`):
 * the organization and the user read, the change and its event under `memberManager(orgId,
 * uuid)`: a global admin, or an admin of `orgId` for its own members. An organization the caller
 * does not run, or a user they may not manage, is the 404 of a missing one. What the change wrote,
 * and its event (to export once the caller has judged the change), are the caller's.
 */
export async function changeMembership<W>(
  deps: Deps,
  access: Access,
  orgId: string,
  uuid: string,
  change: Pick<AuditEvent, 'event' | 'detail'> & { when: SQL; write: (guard: Guard, now: number) => Statement<W[], 'guarded'> },
) {
  const now = deps.now();
  const rule = memberManager(orgId, uuid);
  const { caller, rows } = await withCaller(deps, access, {
    reads: { org: findOrg(deps.db, orgId), found: findUser(deps.db, uuid) },
    writes: (may) => ({
      event: auditGuarded(deps, now, may.to(rule), { event: change.event, actor: access.claims.sub, subject: uuid, detail: change.detail, when: change.when }),
      written: change.write(may.to(rule), now),
    }),
  });
  visibleOrg(caller, rows.org, orgId);
  if (!rows.found[0] || !allows(rule, caller, orgFacts(uuid, rows.found))) throw notFound('user');
  return { written: rows.written, event: rows.event };
}
