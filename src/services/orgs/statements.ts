import { and, desc, eq, lt, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { type OrgRole, organizations, userColumns, users } from '../../db/schema';
import { read } from '../../db/statement';
import { type Guard, guarded } from '../../policy/guard';

/** One organization by id (zero or one row). */
export const findOrg = (db: Db, id: string) => read(db.select().from(organizations).where(eq(organizations.id, id)).limit(1));

/** Organizations, newest first, `limit + 1` rows (keyset over the primary key). */
export const orgsPage = (db: Db, q: { limit: number; after?: string }) =>
  read(
    db
      .select()
      .from(organizations)
      .where(q.after ? lt(organizations.id, q.after) : undefined)
      .orderBy(desc(organizations.id))
      .limit(q.limit + 1),
  );

/** An organization's members, newest first, `limit + 1` rows over (organization_id, uuid). */
export const membersPage = (db: Db, orgId: string, q: { limit: number; after?: string }) =>
  read(
    db
      .select(userColumns)
      .from(users)
      .where(and(eq(users.organizationId, orgId), q.after ? lt(users.uuid, q.after) : undefined))
      .orderBy(desc(users.uuid))
      .limit(q.limit + 1),
  );

export const insertOrg = (db: Db, guard: Guard, org: { id: string; name: string; now: number }) =>
  guarded(guard, (may) => db.insert(organizations).select(sql`select ${org.id}, ${org.name}, ${org.now}, ${org.now} where ${may}`).returning());

export const renameOrg = (db: Db, guard: Guard, id: string, name: string, now: number) =>
  guarded(guard, (may) =>
    db
      .update(organizations)
      .set({ name, updatedAt: now })
      .where(and(eq(organizations.id, id), may))
      .returning(),
  );

export const deleteOrg = (db: Db, guard: Guard, id: string) =>
  guarded(guard, (may) =>
    db
      .delete(organizations)
      .where(and(eq(organizations.id, id), may))
      .returning({ id: organizations.id }),
  );

/** Detaches every member of an organization (before it is deleted: users have no foreign key to it). */
export const detachMembers = (db: Db, guard: Guard, orgId: string, now: number) =>
  guarded(guard, (may) =>
    db
      .update(users)
      .set({ organizationId: null, orgRole: null, updatedAt: now })
      .where(and(eq(users.organizationId, orgId), may))
      .returning({ uuid: users.uuid }),
  );

/** SQL true while the organization exists. */
export const orgExists = (orgId: string) => sql`exists (select 1 from ${organizations} where ${organizations.id} = ${orgId})`;

/**
 * Sets a user's membership of `orgId` with `role`, only while the organization exists and the
 * user belongs to no other organization (at most one each): the one statement both the admin's
 * PUT and an accepted invitation use. `when` adds the caller's own condition.
 */
export const setMembership = (db: Db, guard: Guard, m: { uuid: string; orgId: string; role: OrgRole; now: number }, when?: SQL) =>
  guarded(guard, (may) =>
    db
      .update(users)
      .set({ organizationId: m.orgId, orgRole: m.role, updatedAt: m.now })
      .where(and(eq(users.uuid, m.uuid), sql`(${users.organizationId} is null or ${users.organizationId} = ${m.orgId})`, orgExists(m.orgId), may, when))
      .returning(userColumns),
  );

/** Removes a user from `orgId` (nothing when they are not a member of it). */
export const removeMembership = (db: Db, guard: Guard, m: { uuid: string; orgId: string; now: number }) =>
  guarded(guard, (may) =>
    db
      .update(users)
      .set({ organizationId: null, orgRole: null, updatedAt: m.now })
      .where(and(eq(users.uuid, m.uuid), eq(users.organizationId, m.orgId), may))
      .returning({ uuid: users.uuid }),
  );
