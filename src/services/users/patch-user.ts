import { and, eq, type SQL, sql } from 'drizzle-orm';
import { celebrityNames, type Role, type User, userColumns, users } from '../../db/schema';
import { notFound, forbidden } from '../../lib/problem';
import { usernameKey } from '../../lib/text';
import { type Access, withCaller } from '../../policy/caller';
import { guarded } from '../../policy/guard';
import { admin, allows, selfAdminOrOrgAdmin, selfOrAdmin } from '../../policy/rules';
import type { Deps } from '../../deps';
import { recordRevocations } from '../revocation';
import { revokeSessions } from '../sessions/statements';
import { auditGuarded } from '../audit/events';
import { exportEvents } from '../audit/export';
import { visibleUser } from './read-users';
import { notRetired, retiredKey } from './retired-names';
import { conflictFrom, findUser, usernameTaken } from './statements';

export interface UserPatch {
  username?: string;
  city?: string | null;
  organization?: string | null;
  designation?: string | null;
  mobile?: string | null;
  role?: Role;
  disabled?: boolean;
}

/**
 * Changes a user in one round trip: the caller check, the target's row, and under the caller's
 * guard the revocation of every session when the patch changes the role or disables the user
 * (compared with the row before the update, in SQL), then the update itself, which also moves
 * the security stamp on in that case so no grant in flight outlives it. Self may change the
 * username and profile; an admin of the user's organization the profile fields only (the username
 * is the user's or an admin's); `role` and `disabled` need an admin (403 otherwise).
 */
export async function patchUser(deps: Deps, access: Access, uuid: string, patch: UserPatch): Promise<User> {
  const { db, config } = deps;
  const now = deps.now();
  const needsAdmin = patch.role !== undefined || patch.disabled !== undefined;
  const rule = needsAdmin ? admin : patch.username !== undefined ? selfOrAdmin(uuid) : selfAdminOrOrgAdmin(uuid);
  // True of the row as it is before this batch's update: what the events and the revocation read.
  const was = (condition: SQL) => sql`exists (select 1 from ${users} u where u.uuid = ${uuid} and ${condition})`;
  const roleChanges = patch.role !== undefined ? sql`u.role <> ${patch.role}` : sql`0`;
  const disables = patch.disabled === true ? sql`u.disabled = 0` : sql`0`;
  const changesAccess = was(sql`(${roleChanges} or ${disables})`);
  const set = {
    ...patch,
    ...(patch.username !== undefined ? { usernameKey: usernameKey(patch.username) } : {}),
    securityStamp: sql`${users.securityStamp} + (case when ${changesAccess} then 1 else 0 end)`,
    updatedAt: now,
  };
  // A username an erased user left is retired for a while: refused like a taken one.
  const retired = patch.username !== undefined ? notRetired(await retiredKey(config, patch.username), now) : undefined;
  const { caller, rows } = await withCaller(deps, access, {
    reads: { found: findUser(db, uuid) },
    writes: (may) => {
      // Everything after the revocation may follow a caller who just revoked their own session
      // (an admin demoting or disabling themselves), so it accepts a session this batch revoked.
      const after = may.to(rule, { revokedInBatchAt: now });
      const event = (name: 'user.role_changed' | 'user.disabled' | 'user.enabled', when: SQL, detail?: Record<string, string | SQL>) =>
        auditGuarded(deps, now, after, { event: name, actor: access.claims.sub, subject: uuid, detail, when });
      return {
        revoked: revokeSessions(db, { userUuid: uuid }, may.to(rule), now, changesAccess),
        // A celebrity whose role an admin changes gives up the name they claimed (src/db/schema.ts celebrityNames).
        released: guarded(after, (g) =>
          db.delete(celebrityNames).where(and(eq(celebrityNames.userUuid, uuid), g, patch.role !== undefined && patch.role !== 'celebrity' ? sql`1` : sql`0`)),
        ),
        // The events read the row before the update below changes it.
        roleEvent: event('user.role_changed', was(roleChanges), {
          from: sql`(select role from ${users} where uuid = ${uuid})`,
          to: patch.role ?? '',
        }),
        disabledEvent: event('user.disabled', was(disables)),
        enabledEvent: event('user.enabled', patch.disabled === false ? was(sql`u.disabled = 1`) : sql`0`),
        updated: guarded(after, (g) =>
          db
            .update(users)
            .set(set)
            .where(and(eq(users.uuid, uuid), g, retired))
            .returning(userColumns),
        ),
      };
    },
  }).catch((err: unknown) => {
    throw conflictFrom(err) ?? err;
  });
  const before = visibleUser(caller, uuid, rows.found, selfAdminOrOrgAdmin(uuid));
  if (needsAdmin && !allows(admin, caller)) throw forbidden('Only an admin may change role or disabled');
  if (!allows(rule, caller, { orgOf: { [uuid]: before.organizationId } })) throw forbidden('Only the user or an admin may change the username');
  const updated = rows.updated[0];
  if (!updated && patch.username !== undefined) throw usernameTaken();
  if (!updated) throw notFound('user');
  const reason = patch.disabled === true && !before.disabled ? 'disabled' : 'role_changed';
  await recordRevocations(deps.kv, rows.revoked, reason, config.ACCESS_TOKEN_TTL_SECONDS, now);
  exportEvents(deps, [...rows.roleEvent, ...rows.disabledEvent, ...rows.enabledEvent]);
  return updated;
}
