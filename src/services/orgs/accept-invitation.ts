import { sql } from 'drizzle-orm';
import { invitations, type User, users } from '../../db/schema';
import type { Deps } from '../../deps';
import { ApiError } from '../../lib/problem';
import { emailKey } from '../../lib/text';
import { type Access, withCaller } from '../../policy/caller';
import { auditGuarded } from '../audit/events';
import { emailTokenHash } from '../email/statements';
import { badEmailToken } from '../email/reset-password';
import { exportEvents } from '../audit/export';
import { otherOrganization } from './set-member';
import { invitationColumn, invitationFor, joinByInvitation, pendingInvitation, spendInvitation } from './statements';

const notYours = () =>
  new ApiError('invitation_invalid', 'This invitation is for another address, or your address is not verified yet: verify it, then accept again');

/**
 * POST /invitations/accept: the signed-in caller joins the invitation's organization with its
 * role, in one batch, when their verified address is the invited one. Every change of the batch
 * holds only while the invitation is usable for them, and it is spent last, only if they became
 * a member: a member of another organization gets 409 and the invitation stays usable. A token
 * that is malformed, unknown, used or expired is the one 400 of the token flows.
 */
export async function acceptInvitation(deps: Deps, access: Access, input: { token: string }): Promise<User> {
  const hash = await emailTokenHash(input.token);
  if (!hash) throw badEmailToken();
  const now = deps.now();
  const me = access.claims.sub;
  const { caller, rows } = await withCaller(deps, access, {
    reads: { pending: pendingInvitation(deps.db, hash, now) },
    writes: (may) => ({
      // The event first: its condition reads the invitation and the membership before either changes.
      event: auditGuarded(deps, now, may.route, {
        event: 'org.invitation_accepted',
        actor: me,
        subject: me,
        detail: { organization: invitationColumn(hash, invitations.organizationId), role: invitationColumn(hash, invitations.role) },
        when: sql`${invitationFor(hash, me, now)} and exists (select 1 from ${users} where ${users.uuid} = ${me} and (${users.organizationId} is null or ${users.organizationId} = ${invitationColumn(hash, invitations.organizationId)}))`,
      }),
      joined: joinByInvitation(deps.db, may.route, hash, me, now),
      spent: spendInvitation(deps.db, may.route, hash, me, now),
    }),
  });
  const joined = rows.joined[0];
  if (rows.spent.length === 1 && joined) {
    exportEvents(deps, rows.event);
    return joined;
  }
  const pending = rows.pending[0];
  if (!pending) throw badEmailToken();
  if (!caller.emailVerified || emailKey(caller.email) !== pending.emailKey) throw notYours();
  throw otherOrganization();
}
