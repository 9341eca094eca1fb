import { and, desc, eq, lt, type SQL, sql } from 'drizzle-orm';
import { compiled } from '../../db/compiled';
import type { Db } from '../../db/client';
import { type Role, userColumns, users } from '../../db/schema';
import { read } from '../../db/statement';
import { ApiError } from '../../lib/problem';
import { emailKey, usernameKey } from '../../lib/text';

/** The 409 of a taken username; a retired one answers the same, so nobody learns its owner left. */
export const usernameTaken = () => new ApiError('username_taken', 'That username is taken', { errors: [{ path: 'username', message: 'is taken' }] });

/** Maps a UNIQUE violation on username or email to the 409 the client can act on. */
export function conflictFrom(err: unknown): ApiError | null {
  const text = `${(err as Error)?.message ?? ''} ${(err as { cause?: Error })?.cause?.message ?? ''}`;
  if (text.includes('users.username_key')) return usernameTaken();
  if (text.includes('users.email_key'))
    return new ApiError('email_taken', 'That email is already registered', { errors: [{ path: 'email', message: 'is already registered' }] });
  return null;
}

/** One user by uuid, without the password hash (an array of zero or one row). */
export const findUser = (db: Db, uuid: string) => read(db.select(userColumns).from(users).where(eq(users.uuid, uuid)).limit(1));

// The password grant's lookups, with the hash, compiled once per isolate (src/db/compiled.ts).
const byUsernameKey = compiled('read', ['key'], (db, p) => db.select().from(users).where(eq(users.usernameKey, p.key)).limit(1));
const byEmailKey = compiled('read', ['key'], (db, p) => db.select().from(users).where(eq(users.emailKey, p.key)).limit(1));

/** The login name as the throttle and the lookup see it: usernames cannot contain `@`. */
export const loginKey = (login: string) => (login.includes('@') ? emailKey(login) : usernameKey(login));

/** A user by username or email, in any case, with the password hash (the password grant only). */
export const findByLogin = (db: Db, login: string) => (login.includes('@') ? byEmailKey : byUsernameKey)(db, { key: loginKey(login) });

/** The password hash of one user (the password change checks the current password). */
export const passwordHashOf = (db: Db, uuid: string) => read(db.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.uuid, uuid)));

/**
 * SQL true while the user's security stamp is still `stamp` and they are enabled: what a
 * session insert requires, so a grant that read the user before a password change, a log-out
 * everywhere, a role change or disabling creates nothing afterwards.
 */
export const stampHolds = (userUuid: unknown, stamp: unknown): SQL =>
  sql`exists (select 1 from ${users} where ${users.uuid} = ${userUuid} and ${users.securityStamp} = ${stamp} and ${users.disabled} = 0)`;

/** The SET fragment that ends every grant in flight (see `stampHolds`). */
export const bumpStamp = sql`${users.securityStamp} + 1`;

/** Newest first, keyset-paged over (role, uuid) or uuid: fetches `limit + 1` to know if more follow. */
export const usersPage = (db: Db, q: { limit: number; after?: string; role?: Role }) =>
  read(
    db
      .select(userColumns)
      .from(users)
      .where(and(q.role ? eq(users.role, q.role) : undefined, q.after ? lt(users.uuid, q.after) : undefined))
      .orderBy(desc(users.uuid))
      .limit(q.limit + 1),
  );
