import { and, eq, or } from 'drizzle-orm';
import { auditEvents, users } from '../../db/schema';
import type { Statement } from '../../db/statement';
import { ApiError } from '../../lib/problem';
import { type Access, withCaller } from '../../policy/caller';
import { guarded } from '../../policy/guard';
import { self, userReader } from '../../policy/rules';
import type { Deps } from '../../deps';
import { erasePhotoObjects } from '../photos/storage';
import { recordRevocations } from '../revocation';
import { revokeSessions } from '../sessions/statements';
import { findUser } from './statements';
import { assertCurrentPassword, countPasswordAttempt, currentPasswordReads } from './current-password';
import { auditGuarded } from '../audit/events';
import { exportEvents } from '../audit/export';
import { visibleUser } from './read-users';
import { retiredKey, retireName } from './retired-names';

/**
 * Erases a user, by themselves only (not even an admin erases another user: 403 for whoever may
 * see the user, a global admin or an admin of their organization; 404 for anyone else). Two round trips: the caller is checked
 * before R2 is touched, the photos go first (erasure must not leave objects behind if a later
 * step fails), then one guarded batch revokes the sessions and deletes the row, whose foreign
 * keys cascade to login records, sessions, refresh tokens and photo rows; then KV records.
 * With `currentPassword` (the pages ask for it) the first batch also checks it, throttled
 * like a password change, before anything is erased.
 */
export async function eraseUser(deps: Deps, access: Access, uuid: string, confirm: { currentPassword?: string } = {}): Promise<void> {
  const { db, config } = deps;
  const { currentPassword } = confirm;
  const checkedAt = deps.now();
  const me = access.claims.sub;
  const { caller, rows } = await withCaller(deps, access, {
    reads: { found: findUser(db, uuid), ...(currentPassword === undefined ? {} : currentPasswordReads(db, me)) },
    writes: (may): Record<string, Statement<unknown, 'guarded'>> =>
      currentPassword === undefined ? {} : { counted: countPasswordAttempt(db, me, checkedAt, may.route) },
  });
  if (uuid !== caller.uuid) {
    visibleUser(caller, uuid, rows.found, userReader(uuid));
    throw new ApiError('self_only', 'Users are erased only by themselves');
  }
  if (currentPassword !== undefined) await assertCurrentPassword(deps, rows as Parameters<typeof assertCurrentPassword>[1], currentPassword, checkedAt);
  await erasePhotoObjects(deps.photos, uuid);
  const now = deps.now();
  const retired = await retiredKey(config, caller.username);
  const erased = await withCaller(
    deps,
    access,
    {
      writes: (may) => {
        const after = may.to(self(uuid), { revokedInBatchAt: now });
        return {
          revoked: revokeSessions(db, { userUuid: uuid }, may.to(self(uuid)), now),
          event: auditGuarded(deps, now, after, { event: 'user.deleted', actor: uuid, subject: uuid }),
          // The events stay; what identifies the person in them goes (SPEC "Audit trail").
          stripped: guarded(after, (g) =>
            db
              .update(auditEvents)
              .set({ ip: null, userAgent: null })
              .where(and(or(eq(auditEvents.subjectUuid, uuid), eq(auditEvents.actorUuid, uuid)), g)),
          ),
          retired: retireName(db, retired, now + config.RETIRED_USERNAME_DAYS * 86_400_000, after),
          deleted: guarded(after, (g) => db.delete(users).where(and(eq(users.uuid, uuid), g))),
        };
      },
    },
    now,
  );
  await recordRevocations(deps.kv, erased.rows.revoked, 'deleted', config.ACCESS_TOKEN_TTL_SECONDS, now);
  exportEvents(
    deps,
    erased.rows.event.map((e) => ({ ...e, ip: null, userAgent: null })),
  );
}
