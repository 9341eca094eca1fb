import { sql } from 'drizzle-orm';
import { invitations, type OrgRole } from '../../db/schema';
import type { Deps } from '../../deps';
import { emailKey } from '../../lib/text';
import { type Access, withCaller } from '../../policy/caller';
import { adminOrOrgAdmin } from '../../policy/rules';
import { auditGuarded } from '../audit/events';
import { exportEvents } from '../audit/export';
import { invitationMessage } from '../email/messages';
import { sendLater } from '../email/send';
import { newEmailToken } from '../email/statements';
import { findOrg, insertInvitation, voidInvitations } from './statements';
import { visibleOrg } from './visibility';

/**
 * Invites `email` into organization `orgId` as `role` (its admins or a global admin; 404 to anyone
 * else): one batch voids the earlier invitations of the organization to that address and stores
 * the new token's hash (single use, 7 days) with its event; the message with the token goes after
 * the response. The token is never in the response, a log or the event.
 */
export async function inviteMember(deps: Deps, access: Access, orgId: string, input: { email: string; role: OrgRole }) {
  const now = deps.now();
  const rule = adminOrOrgAdmin(orgId);
  const invitation = await newEmailToken();
  const { caller, rows } = await withCaller(deps, access, {
    reads: { org: findOrg(deps.db, orgId) },
    writes: (may) => ({
      voided: voidInvitations(deps.db, may.to(rule), { orgId, emailKey: emailKey(input.email), now }),
      created: insertInvitation(deps.db, may.to(rule), {
        hash: invitation.hash,
        orgId,
        email: input.email,
        emailKey: emailKey(input.email),
        role: input.role,
        invitedBy: access.claims.sub,
        now,
      }),
      event: auditGuarded(deps, now, may.to(rule), {
        event: 'org.invited',
        actor: access.claims.sub,
        subject: null,
        detail: { organization: orgId, role: input.role },
        when: sql`exists (select 1 from ${invitations} where ${invitations.hash} = ${invitation.hash})`,
      }),
    }),
  });
  const org = visibleOrg(caller, rows.org, orgId);
  const created = rows.created[0]!;
  exportEvents(deps, rows.event);
  sendLater(deps, 'invitation', invitationMessage(deps.config, created.email, org.name, created.role, invitation.token));
  return created;
}
