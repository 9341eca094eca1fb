import { and, eq, isNull, sql, type Placeholder, type SQL } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { Context } from 'hono';
import type { Db } from '../db/client';
import { compiled } from '../db/compiled';
import { sessions, userColumns, users } from '../db/schema';
import type { AppEnv, Claims } from '../env';
import { forbidden, unauthorized } from '../lib/problem';

/** The caller's row, only while their session is live and they are enabled. */
export const callerQuery = (db: Db, claims: { sub: string | Placeholder; sid: string | Placeholder }) =>
  db
    .select({ user: userColumns })
    .from(users)
    .innerJoin(sessions, and(eq(sessions.id, claims.sid), eq(sessions.userUuid, users.uuid), isNull(sessions.revokedAt)))
    .where(and(eq(users.uuid, claims.sub), eq(users.disabled, false)))
    .limit(1);

/** `callerQuery` compiled once per isolate: every authenticated request runs it. */
const callerStatement = compiled(['sid', 'sub'], callerQuery);

type Results<T extends readonly unknown[]> = { -readonly [K in keyof T]: Awaited<T[K]> };

/**
 * Loads the caller and runs the route's own statements in the same D1 batch: one round trip
 * for an authenticated request. The caller is checked after the batch (401 for a revoked
 * session, a disabled or deleted user; 403 when the route needs a role the caller lacks), so
 * statements batched here must be reads, or writes guarded by `callerMay` in their WHERE.
 *
 * @example const [rows] = await authorize(c, listLogins(db, {...}));
 */
export async function authorize<const T extends readonly BatchItem<'sqlite'>[]>(c: Context<AppEnv>, ...statements: T): Promise<Results<T>> {
  const db = c.get('db');
  const claims = c.var.claims;
  const [callerRows, ...rest] = (await db.batch([callerStatement(db, { sid: claims.sid, sub: claims.sub }), ...statements] as unknown as [BatchItem<'sqlite'>])) as unknown as [
    { user: AppEnv['Variables']['auth']['user'] }[],
    ...unknown[],
  ];
  const caller = callerRows[0]?.user;
  if (!caller) throw unauthorized('The session has ended');
  c.set('auth', { user: caller, sessionId: claims.sid });
  const role = c.var.requiredRole;
  if (role && caller.role !== role) throw forbidden();
  return rest as Results<T>;
}

/**
 * SQL that is true only when the caller's session is live, the caller enabled, and the caller
 * is `target` themselves or an admin (or only an admin, with `adminOnly`). Guards the writes
 * that `authorize` batches before it has seen the caller, so a refused caller changes nothing.
 */
export function callerMay(claims: Claims, rule: { target?: string | SQL; adminOnly?: boolean; revokedInBatchAt?: number }): SQL {
  const who = rule.adminOnly
    ? sql`cu.role = 'admin'`
    : rule.target !== undefined
      ? sql`(cu.uuid = ${rule.target} or cu.role = 'admin')`
      : sql`1`;
  // A statement that follows a revocation in the same batch (an admin demoting or disabling
  // themselves) still sees the caller's session as live if this batch revoked it.
  const live = rule.revokedInBatchAt === undefined ? sql`cs.revoked_at is null` : sql`(cs.revoked_at is null or cs.revoked_at = ${rule.revokedInBatchAt})`;
  return sql`exists (select 1 from ${users} cu join ${sessions} cs on cs.id = ${claims.sid} and cs.user_uuid = cu.uuid and ${live} where cu.uuid = ${claims.sub} and cu.disabled = 0 and ${who})`;
}
