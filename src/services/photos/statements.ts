import { and, asc, desc, eq, gt, inArray, ne, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { celebrityNames, type PhotoRow, photos, userColumns, users } from '../../db/schema';
import { read } from '../../db/statement';
import { type Guard, guarded } from '../../policy/guard';

export type PhotoStatus = PhotoRow['status'];
/** The statuses whose photo is kept in R2 and can be shown; a rejected photo's bytes are gone. */
export const SHOWN: PhotoStatus[] = ['pending', 'accepted'];

/** A new photo's row (the object is already in R2 under `r2Key`). */
export type NewPhoto = Omit<PhotoRow, 'status' | 'reviewedAt'>;

/** A new photo's row: `pending`, or `accepted` (reviewed now) where `acceptedWhen` holds in SQL. */
export const insertPhoto = (db: Db, row: NewPhoto, acceptedWhen: SQL | false, now: number, guard: Guard) => {
  const status = acceptedWhen ? sql`case when ${acceptedWhen} then 'accepted' else 'pending' end` : sql`'pending'`;
  const reviewedAt = acceptedWhen ? sql`case when ${acceptedWhen} then ${now} else null end` : sql`null`;
  return guarded(guard, (may) =>
    db
      .insert(photos)
      .select(
        sql`select ${row.id}, ${row.userUuid}, ${row.r2Key}, ${row.contentType}, ${row.size}, ${row.sha256}, ${status}, ${row.createdAt}, ${reviewedAt} where ${may}`,
      )
      .returning(),
  );
};

/**
 * Claims a recognised name for the user unless another account holds it (insert … on conflict
 * do nothing; the WHERE also settles SQLite's upsert-over-SELECT ambiguity).
 */
export const claimName = (db: Db, key: string, userUuid: string, now: number, guard: Guard) =>
  guarded(guard, (may) =>
    db.insert(celebrityNames).select(sql`select ${key}, ${userUuid}, ${now} where ${may}`).onConflictDoNothing({ target: celebrityNames.nameKey }),
  );

/** SQL true when the user holds the name `key`. */
export const holdsName = (key: string, userUuid: string) =>
  sql`exists (select 1 from ${celebrityNames} where ${celebrityNames.nameKey} = ${key} and ${celebrityNames.userUuid} = ${userUuid})`;

/**
 * DELETE … RETURNING of the user's other photos in `statuses`. A newer photo supersedes them,
 * so a user has at most one pending and one accepted photo and storage cannot grow per user.
 */
export const supersede = (db: Db, userUuid: string | SQL, keepId: string, statuses: PhotoStatus[], guard: Guard, when?: SQL) =>
  guarded(guard, (may) =>
    db
      .delete(photos)
      .where(and(eq(photos.userUuid, userUuid), inArray(photos.status, statuses), ne(photos.id, keepId), may, when))
      .returning({ key: photos.r2Key }),
  );

/** normal → celebrity; an admin stays admin. `when` makes it conditional inside a batch. */
export const promote = (db: Db, userUuid: string | SQL, now: number, guard: Guard, when?: SQL) =>
  guarded(guard, (may) =>
    db
      .update(users)
      .set({ role: 'celebrity', updatedAt: now })
      .where(and(eq(users.uuid, userUuid), eq(users.role, 'normal'), may, when))
      .returning(userColumns),
  );

/** The user's newest pending or accepted photo (the one GET /user/{uuid}/photo shows). */
export const latestShownPhoto = (db: Db, userUuid: string) =>
  read(
    db
      .select()
      .from(photos)
      .where(and(eq(photos.userUuid, userUuid), inArray(photos.status, SHOWN)))
      .orderBy(desc(photos.id))
      .limit(1),
  );

/** Deletes the user's photo rows, only when they have one to show; the objects go after. */
export const deleteUserPhotos = (db: Db, userUuid: string, guard: Guard) =>
  guarded(guard, (may) =>
    db
      .delete(photos)
      .where(
        and(eq(photos.userUuid, userUuid), sql`exists (select 1 from photos p where p.user_uuid = ${userUuid} and p.status in ('pending', 'accepted'))`, may),
      )
      .returning({ key: photos.r2Key }),
  );

/** The review queue: oldest first (worked in arrival order), keyset-paged over (status, id). */
export const photosPageQuery = (db: Db, q: { status: PhotoStatus; limit: number; after?: string }) =>
  read(
    db
      .select()
      .from(photos)
      .where(and(eq(photos.status, q.status), q.after ? gt(photos.id, q.after) : undefined))
      .orderBy(asc(photos.id))
      .limit(q.limit + 1),
  );

/** A photo's status, to tell a missing photo (404) from a decided one (409). */
export const photoStatus = (db: Db, id: string) => read(db.select({ status: photos.status }).from(photos).where(eq(photos.id, id)).limit(1));

/** A compare-and-swap on a pending photo's status, under the caller's guard. */
export const decide = (db: Db, id: string, status: 'accepted' | 'rejected', now: number, guard: Guard) =>
  guarded(guard, (may) =>
    db
      .update(photos)
      .set({ status, reviewedAt: now })
      .where(and(eq(photos.id, id), eq(photos.status, 'pending'), may))
      .returning(),
  );
