import { and, desc, eq, lt, sql } from 'drizzle-orm';
import type { Db } from '../db/client';
import { compiled } from '../db/compiled';
import { userColumns, users, type Role, type User } from '../db/schema';
import type { Config } from '../config';
import { iso, isoOrNull } from '../lib/clock';
import { uuidv7 } from '../lib/ids';
import { hashPassword } from '../lib/password';
import { passwordProblem } from '../lib/password-policy';
import { ApiError } from '../lib/problem';
import { emailKey, usernameKey } from '../lib/text';
import { toPage } from '../lib/pagination';

/** The public shape of a user: a hand-written DTO, so no hash can ever leak through it. */
export function toUserDto(u: User) {
  return {
    uuid: u.uuid,
    username: u.username,
    email: u.email,
    name: u.name,
    surname: u.surname,
    role: u.role,
    city: u.city,
    organization: u.organization,
    designation: u.designation,
    mobile: u.mobile,
    disabled: u.disabled,
    created_at: iso(u.createdAt),
    updated_at: iso(u.updatedAt),
    last_login_at: isoOrNull(u.lastLoginAt),
  };
}

export const passwordParams = (config: Config) => ({
  iterations: config.PASSWORD_ITERATIONS,
  pepper: config.PASSWORD_PEPPER,
  previousPepper: config.PASSWORD_PEPPER_PREVIOUS,
});

/** Refuses a password that breaks the policy with a 422 naming the field and the reason. */
export function assertPasswordAllowed(password: string, config: Config, who: { username?: string; email?: string }, field = 'password') {
  const reason = passwordProblem(password, { minLength: config.PASSWORD_MIN_LENGTH, ...who });
  if (reason) throw new ApiError(422, `The ${field.replace('_', ' ')} ${reason}`, { errors: [{ path: field, message: reason }] });
}

/** Maps a UNIQUE violation on username or email to the 409 the client can act on. */
export function conflictFrom(err: unknown): ApiError | null {
  const text = `${(err as Error)?.message ?? ''} ${((err as { cause?: Error })?.cause)?.message ?? ''}`;
  if (text.includes('users.username_key')) return new ApiError(409, 'That username is taken', { errors: [{ path: 'username', message: 'is taken' }] });
  if (text.includes('users.email_key')) return new ApiError(409, 'That email is already registered', { errors: [{ path: 'email', message: 'is already registered' }] });
  return null;
}

export interface NewUser {
  username: string;
  email: string;
  password: string;
  name: string;
  surname: string;
  city?: string;
  organization?: string;
  designation?: string;
  mobile?: string;
}

/** Signs a user up with role `normal`; one INSERT … RETURNING, uniqueness enforced by the indexes. */
export async function createUser(db: Db, config: Config, input: NewUser, now: number): Promise<User> {
  assertPasswordAllowed(input.password, config, { username: input.username, email: input.email });
  const passwordHash = await hashPassword(input.password, passwordParams(config));
  try {
    const [row] = await db
      .insert(users)
      .values({
        uuid: uuidv7(now),
        username: input.username,
        usernameKey: usernameKey(input.username),
        email: input.email,
        emailKey: emailKey(input.email),
        name: input.name,
        surname: input.surname,
        city: input.city ?? null,
        organization: input.organization ?? null,
        designation: input.designation ?? null,
        mobile: input.mobile ?? null,
        role: 'normal',
        passwordHash,
        createdAt: now,
        updatedAt: now,
      })
      .returning(userColumns);
    return row!;
  } catch (err) {
    throw conflictFrom(err) ?? err;
  }
}

/** One user by uuid, as a query to batch (an array of zero or one row). */
export const findUserQuery = (db: Db, uuid: string) => db.select(userColumns).from(users).where(eq(users.uuid, uuid)).limit(1);

// The password grant's lookups, compiled once per isolate (src/db/compiled.ts).
const byUsernameKey = compiled(['key'], (db, p) => db.select().from(users).where(eq(users.usernameKey, p.key)).limit(1));
const byEmailKey = compiled(['key'], (db, p) => db.select().from(users).where(eq(users.emailKey, p.key)).limit(1));

/** The password hash of one user, as a query to batch (the password change checks the current password). */
export const passwordHashQuery = (db: Db, uuid: string) => db.select({ passwordHash: users.passwordHash }).from(users).where(eq(users.uuid, uuid));

/** Finds a user by username or email, in any case, with the password hash (the password grant). Usernames cannot contain `@`. */
export function findByLogin(db: Db, login: string) {
  return login.includes('@') ? byEmailKey(db, { key: emailKey(login) }) : byUsernameKey(db, { key: usernameKey(login) });
}

/**
 * A successful password grant: `last_login_at`, and the new hash when the stored one had older
 * parameters (`newHash` null keeps the stored one). A statement to batch.
 */
export const recordLogin = compiled(['uuid', 'now', 'newHash'], (db, p) =>
  db
    .update(users)
    .set({ lastLoginAt: sql`${p.now}`, passwordHash: sql`coalesce(${p.newHash}, ${users.passwordHash})` })
    .where(eq(users.uuid, p.uuid)),
);

/** Newest first, keyset-paged over (role, uuid) or uuid: fetches `limit + 1` to know if more follow. */
export function usersPageQuery(db: Db, q: { limit: number; after?: string; role?: Role }) {
  return db
    .select(userColumns)
    .from(users)
    .where(and(q.role ? eq(users.role, q.role) : undefined, q.after ? lt(users.uuid, q.after) : undefined))
    .orderBy(desc(users.uuid))
    .limit(q.limit + 1);
}

export const usersPage = (rows: User[], limit: number) => toPage(rows, limit, (u) => u.uuid);

export const countUsers = (db: Db) => db.select({ n: sql<number>`count(*)` }).from(users);
