import { and, eq } from 'drizzle-orm';
import { users } from '../../db/schema';
import { ApiError } from '../../lib/problem';
import { type Access, withCaller } from '../../policy/caller';
import { guarded } from '../../policy/guard';
import { self } from '../../policy/rules';
import type { Deps } from '../../deps';
import { erasePhotoObjects } from '../photos/storage';
import { recordRevocations } from '../revocation';
import { revokeSessions } from '../sessions/statements';
import { findUser } from './statements';
import { visibleUser } from './read-users';

/**
 * Erases a user, by themselves only (not even an admin erases another user: 403 for an admin,
 * who can see the user exists; 404 for anyone else). Two round trips: the caller is checked
 * before R2 is touched, the photos go first (erasure must not leave objects behind if a later
 * step fails), then one guarded batch revokes the sessions and deletes the row, whose foreign
 * keys cascade to login records, sessions, refresh tokens and photo rows; then KV records.
 */
export async function eraseUser(deps: Deps, access: Access, uuid: string): Promise<void> {
  const { db, config } = deps;
  const { caller, rows } = await withCaller(deps, access, { reads: { found: findUser(db, uuid) } });
  if (uuid !== caller.uuid) {
    visibleUser(caller, uuid, rows.found);
    throw new ApiError('self_only', 'Users are erased only by themselves');
  }
  await erasePhotoObjects(deps.photos, uuid);
  const now = deps.now();
  const erased = await withCaller(
    deps,
    access,
    {
      writes: (may) => ({
        revoked: revokeSessions(db, { userUuid: uuid }, may.to(self(uuid)), now),
        deleted: guarded(may.to(self(uuid), { revokedInBatchAt: now }), (g) => db.delete(users).where(and(eq(users.uuid, uuid), g))),
      }),
    },
    now,
  );
  await recordRevocations(deps.kv, erased.rows.revoked, 'deleted', config.ACCESS_TOKEN_TTL_SECONDS, now);
}
