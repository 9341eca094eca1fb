import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client';
import { userColumns, users, type Role, type User } from '../db/schema';
import type { Bindings } from '../env';
import type { Config } from '../config';
import { hashPassword } from '../lib/password';
import { usernameKey } from '../lib/text';
import { erasePhotoObjects } from './photo-storage';
import { recordRevocations } from './revocation';
import { revokeSessionsStatement } from './sessions';
import { clearFailures } from './throttle';
import { assertPasswordAllowed, passwordParams } from './users';

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
 * The writes of a user patch, guarded by `guard` (the caller's right to make them, as
 * `callerMay` builds it) so they can
 * share a batch with the caller check: the revocation of every live session when the patch
 * changes the role or disables the user (compared with the row as it is before the update, in
 * SQL), then the update itself, returning the new row.
 */
export function updateStatements(db: Db, args: { uuid: string; patch: UserPatch; guard: (revokedInBatchAt?: number) => SQL; now: number }) {
  const { uuid, patch, guard, now } = args;
  const roleChanges = patch.role !== undefined ? sql`u.role <> ${patch.role}` : sql`0`;
  const disables = patch.disabled === true ? sql`u.disabled = 0` : sql`0`;
  const changesAccess = sql`exists (select 1 from ${users} u where u.uuid = ${uuid} and (${roleChanges} or ${disables}))`;
  const set = {
    ...patch,
    ...(patch.username !== undefined ? { usernameKey: usernameKey(patch.username) } : {}),
    updatedAt: now,
  };
  return [
    revokeSessionsStatement(db, { userUuid: uuid, guard: and(guard(), changesAccess) }, now),
    // The caller may just have revoked their own session above (demoting or disabling themselves).
    db.update(users).set(set).where(and(eq(users.uuid, uuid), guard(now))).returning(userColumns),
  ] as const;
}

/** Sets a new password (policy-checked) and revokes every session but the caller's own. */
export async function changePasswordOf(
  db: Db,
  kv: KVNamespace,
  args: { config: Config; user: User; newPassword: string; keepSessionId: string; now: number; throttleKey?: string },
) {
  const { config, user, now } = args;
  assertPasswordAllowed(args.newPassword, config, { username: user.username, email: user.email }, 'new_password');
  const passwordHash = await hashPassword(args.newPassword, passwordParams(config));
  const [, revoked] = await db.batch([
    db.update(users).set({ passwordHash, updatedAt: now }).where(eq(users.uuid, user.uuid)),
    revokeSessionsStatement(db, { userUuid: user.uuid, exceptSessionId: args.keepSessionId }, now),
    // The current password was right: the name's failure count starts again.
    ...(args.throttleKey ? [clearFailures(db, args.throttleKey)] : []),
  ]);
  await recordRevocations(kv, revoked, 'password_changed', config.ACCESS_TOKEN_TTL_SECONDS, now);
}

/**
 * Erases a user: photos in R2 first (erasure must not leave objects behind if a later step
 * fails), then KV revocation records for live sessions, then the user row, whose foreign
 * keys cascade to login records, sessions, refresh tokens and photo rows.
 */
export async function eraseUser(env: Bindings, db: Db, config: Config, uuid: string, now: number) {
  await erasePhotoObjects(env.PHOTOS, uuid);
  const [revoked] = await db.batch([revokeSessionsStatement(db, { userUuid: uuid }, now), db.delete(users).where(eq(users.uuid, uuid))]);
  await recordRevocations(env.REVOCATIONS, revoked, 'deleted', config.ACCESS_TOKEN_TTL_SECONDS, now);
}
