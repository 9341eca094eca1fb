import { eq } from 'drizzle-orm';
import type { Db } from '../db/client';
import { users, type Role, type UserRow } from '../db/schema';
import type { Bindings } from '../env';
import type { Config } from '../config';
import { hashPassword } from '../lib/password';
import { usernameKey } from '../lib/text';
import { notFound } from '../lib/problem';
import { erasePhotoObjects } from './photo-storage';
import { recordRevocations } from './revocation';
import { revokeSessionsStatement } from './sessions';
import { clearFailures } from './throttle';
import { assertPasswordAllowed, conflictFrom, passwordParams } from './users';

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
 * Applies a validated (and authorised) patch in one batch. A role change or a disabling
 * revokes every session of the user in the same transaction, then records them in KV.
 */
export async function updateUser(db: Db, kv: KVNamespace, args: { config: Config; target: UserRow; patch: UserPatch; now: number }) {
  const { config, target, patch, now } = args;
  const roleChanged = patch.role !== undefined && patch.role !== target.role;
  const disabling = patch.disabled === true && !target.disabled;
  const revokes = roleChanged || disabling;
  const set = {
    ...patch,
    ...(patch.username !== undefined ? { usernameKey: usernameKey(patch.username) } : {}),
    updatedAt: now,
  };
  const update = db.update(users).set(set).where(eq(users.uuid, target.uuid)).returning();
  let revoked: { id: string; lastUsedAt: number }[] = [];
  let updated: UserRow | undefined;
  try {
    if (revokes) [revoked, [updated]] = await db.batch([revokeSessionsStatement(db, { userUuid: target.uuid }, now), update]);
    else [updated] = await update;
  } catch (err) {
    throw conflictFrom(err) ?? err;
  }
  if (!updated) throw notFound('user');
  await recordRevocations(kv, revoked, disabling ? 'disabled' : 'role_changed', config.ACCESS_TOKEN_TTL_SECONDS, now);
  return updated;
}

/** Sets a new password (policy-checked) and revokes every session but the caller's own. */
export async function changePasswordOf(
  db: Db,
  kv: KVNamespace,
  args: { config: Config; user: UserRow; newPassword: string; keepSessionId: string; now: number; throttleKey?: string },
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
