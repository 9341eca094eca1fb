import { and, desc, eq, isNull, lt, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { invitations, type OrgRole, organizations, userColumns, users } from '../../db/schema';
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

/** Invitations work for 7 days (SPEC "Organizations"), once. */
export const INVITATION_TTL_MS = 7 * 24 * 3_600_000;

/** A new invitation of `orgId`, by its token's hash only, while the organization exists. Columns in table order. */
export const insertInvitation = (
  db: Db,
  guard: Guard,
  i: { hash: string; orgId: string; email: string; emailKey: string; role: OrgRole; invitedBy: string; now: number },
) =>
  guarded(guard, (may) =>
    db
      .insert(invitations)
      .select(
        sql`select ${i.hash}, ${i.orgId}, ${i.email}, ${i.emailKey}, ${i.role}, ${i.invitedBy}, ${i.now}, ${i.now + INVITATION_TTL_MS}, null, null where ${orgExists(i.orgId)} and ${may}`,
      )
      .returning({ organizationId: invitations.organizationId, email: invitations.email, role: invitations.role, expiresAt: invitations.expiresAt }),
  );

/**
 * Voids the unused invitations of `orgId` to one address (its email key): a new one replaces
 * them, so only the newest link works. Marked used by nobody (`used_by` null).
 */
export const voidInvitations = (db: Db, guard: Guard, v: { orgId: string; emailKey: string; now: number }) =>
  guarded(guard, (may) =>
    db
      .update(invitations)
      .set({ usedAt: v.now })
      .where(and(eq(invitations.organizationId, v.orgId), eq(invitations.emailKey, v.emailKey), isNull(invitations.usedAt), may)),
  );

/** SQL true while invitation `hash` is unused and unexpired. */
const invitationUsable = (hash: string, now: number) => and(eq(invitations.hash, hash), isNull(invitations.usedAt), sql`${invitations.expiresAt} > ${now}`);

/** The usable invitation `hash` (zero or one row): what the refusals of an acceptance are told apart by. */
export const pendingInvitation = (db: Db, hash: string, now: number) =>
  read(
    db
      .select({ organizationId: invitations.organizationId, emailKey: invitations.emailKey, role: invitations.role })
      .from(invitations)
      .where(invitationUsable(hash, now))
      .limit(1),
  );

/**
 * SQL true while invitation `hash` is usable and user `uuid`'s verified address is the invited
 * one: the condition of every change an acceptance makes, read before the invitation is spent.
 */
export const invitationFor = (hash: string, uuid: string, now: number) =>
  sql`exists (select 1 from ${invitations} inner join ${users} on ${users.emailKey} = ${invitations.emailKey} and ${users.emailVerified} = 1 where ${invitationUsable(hash, now)} and ${users.uuid} = ${uuid})`;

/** An invitation's column, for a statement of its acceptance. */
export const invitationColumn = (hash: string, column: typeof invitations.organizationId | typeof invitations.role) =>
  sql`(select ${column} from ${invitations} where ${invitations.hash} = ${hash})`;

/**
 * Spends invitation `hash` for user `uuid`: only while it is usable for them and they became a
 * member of its organization earlier in the batch (a user of another organization leaves it unused).
 */
export const spendInvitation = (db: Db, guard: Guard, hash: string, uuid: string, now: number) =>
  guarded(guard, (may) =>
    db
      .update(invitations)
      .set({ usedAt: now, usedBy: uuid })
      .where(
        and(
          invitationUsable(hash, now),
          invitationFor(hash, uuid, now),
          sql`exists (select 1 from ${users} where ${users.uuid} = ${uuid} and ${users.organizationId} = ${invitations.organizationId})`,
          may,
        ),
      )
      .returning({ organizationId: invitations.organizationId, role: invitations.role }),
  );

/**
 * Makes user `uuid` a member of the invitation's organization with its role, while the invitation
 * is usable for them and they belong to no other organization (an invitation dies with its
 * organization: its foreign key cascades).
 */
export const joinByInvitation = (db: Db, guard: Guard, hash: string, uuid: string, now: number) =>
  guarded(guard, (may) => {
    const org = invitationColumn(hash, invitations.organizationId);
    return db
      .update(users)
      .set({ organizationId: org, orgRole: invitationColumn(hash, invitations.role), updatedAt: now })
      .where(and(eq(users.uuid, uuid), sql`(${users.organizationId} is null or ${users.organizationId} = ${org})`, invitationFor(hash, uuid, now), may))
      .returning(userColumns);
  });
