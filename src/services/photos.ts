import { and, asc, desc, eq, gt, inArray, ne, sql, type SQL } from 'drizzle-orm';
import type { Config } from '../config';
import type { Db } from '../db/client';
import { photos, userColumns, users, type PhotoRow, type User } from '../db/schema';
import { iso, isoOrNull } from '../lib/clock';
import { sha256Hex } from '../lib/encoding';
import { uuidv7 } from '../lib/ids';
import type { ImageType } from '../lib/image-type';
import { toPage } from '../lib/pagination';
import { ApiError } from '../lib/problem';
import { deletePhotoObjects, putPhotoObject } from './photo-storage';
import { recognize, recognizerFor } from './recognizers';
import { recognisedAs } from './recognizers/names';

export type PhotoStatus = PhotoRow['status'];
/** The statuses whose photo is kept in R2 and can be shown; a rejected photo's bytes are gone. */
export const SHOWN: PhotoStatus[] = ['pending', 'accepted'];

/** The public shape of a photo's metadata (the bytes are served by GET /user/{uuid}/photo). */
export function toPhotoDto(p: PhotoRow) {
  return {
    id: p.id,
    user_uuid: p.userUuid,
    status: p.status,
    content_type: p.contentType as ImageType,
    size: p.size,
    sha256: p.sha256,
    created_at: iso(p.createdAt),
    reviewed_at: isoOrNull(p.reviewedAt),
  };
}

/** What a photo request needs besides D1: the bucket, the settings and the id for logs. */
export interface PhotoContext {
  db: Db;
  bucket: R2Bucket;
  config: Config;
  requestId: string;
}

/**
 * DELETE … RETURNING of the user's other photos in `statuses`. A newer photo supersedes them,
 * so a user has at most one pending and one accepted photo and storage cannot grow per user.
 */
const supersede = (db: Db, userUuid: string, keepId: string, statuses: PhotoStatus[]) =>
  db
    .delete(photos)
    .where(and(eq(photos.userUuid, userUuid), inArray(photos.status, statuses), ne(photos.id, keepId)))
    .returning({ key: photos.r2Key });

/** normal → celebrity; an admin stays admin. `when` makes it conditional inside a batch. */
const promote = (db: Db, userUuid: string | SQL, now: number, when = sql`1`) =>
  db
    .update(users)
    .set({ role: 'celebrity', updatedAt: now })
    .where(and(eq(users.uuid, userUuid), eq(users.role, 'normal'), when))
    .returning(userColumns);

/** Objects whose rows are already gone: best effort, logged (erasure lists the prefix anyway). */
async function dropObjects(ctx: PhotoContext, keys: string[]) {
  try {
    await deletePhotoObjects(ctx.bucket, keys);
  } catch (err) {
    console.error(JSON.stringify({ level: 'error', requestId: ctx.requestId, error: 'r2_delete', keys, message: (err as Error)?.message }));
  }
}

export type Submission = { status: 'pending'; photo: PhotoRow } | { status: 'accepted'; photo: PhotoRow; user: User };

/**
 * Stores a photo and lets the configured recognizer decide. Order: the R2 object first, then
 * the recognizer, then one D1 batch (photo row, superseded rows, role). Any failure after the
 * put (not recognised, recognizer error or timeout, D1 error) deletes the object, so nothing
 * is left behind; D1 is written only on success.
 */
export async function submitPhoto(ctx: PhotoContext, user: User, image: Uint8Array, type: ImageType, now: number): Promise<Submission> {
  const { db, config } = ctx;
  const recognizer = recognizerFor(config);
  const id = uuidv7(now);
  const sha256 = await sha256Hex(image);
  const key = await putPhotoObject(ctx.bucket, { userUuid: user.uuid, photoId: id, contentType: type, sha256 }, image);
  const row = { id, userUuid: user.uuid, r2Key: key, contentType: type, size: image.byteLength, sha256, createdAt: now };
  let result: Submission;
  let superseded: { key: string }[];
  try {
    if (recognizer.kind === 'manual') {
      const [[photo], gone] = await db.batch([
        db.insert(photos).values({ ...row, status: 'pending' }).returning(),
        supersede(db, user.uuid, id, ['pending']),
      ]);
      result = { status: 'pending', photo: photo! };
      superseded = gone;
    } else {
      const recognition = await recognize(recognizer, image, type, config.RECOGNIZER_TIMEOUT_MS, ctx.requestId);
      if (!recognisedAs(recognition, user, config.RECOGNIZER_MIN_CONFIDENCE)) {
        throw new ApiError(403, 'The photo was not recognised as you; it was not kept');
      }
      const [[photo], gone, [promoted]] = await db.batch([
        db.insert(photos).values({ ...row, status: 'accepted', reviewedAt: now }).returning(),
        supersede(db, user.uuid, id, SHOWN),
        promote(db, user.uuid, now),
      ]);
      result = { status: 'accepted', photo: photo!, user: promoted ?? user };
      superseded = gone;
    }
  } catch (err) {
    await dropObjects(ctx, [key]);
    throw err;
  }
  await dropObjects(ctx, superseded.map((s) => s.key));
  return result;
}

/** The user's newest pending or accepted photo (the one GET /user/{uuid}/photo shows), as a query to batch. */
export const latestShownPhotoQuery = (db: Db, userUuid: string) =>
  db
    .select()
    .from(photos)
    .where(and(eq(photos.userUuid, userUuid), inArray(photos.status, SHOWN)))
    .orderBy(desc(photos.id))
    .limit(1);

/**
 * Deletes the user's photos (rows in one statement, then their objects), so a GET afterwards
 * is a 404. Deletes nothing when the user has no photo to show. `guard` (the caller's right)
 * lets it share a batch with the caller check; the objects go once the rows have.
 */
export const deleteUserPhotosStatement = (db: Db, userUuid: string, guard?: SQL) =>
  db
    .delete(photos)
    .where(
      and(
        eq(photos.userUuid, userUuid),
        sql`exists (select 1 from photos p where p.user_uuid = ${userUuid} and p.status in ('pending', 'accepted'))`,
        guard,
      ),
    )
    .returning({ key: photos.r2Key });

/** The review queue: oldest first (worked in arrival order), keyset-paged over (status, id). */
export const photosPageQuery = (db: Db, q: { status: PhotoStatus; limit: number; after?: string }) =>
  db
    .select()
    .from(photos)
    .where(and(eq(photos.status, q.status), q.after ? gt(photos.id, q.after) : undefined))
    .orderBy(asc(photos.id))
    .limit(q.limit + 1);

export const photosPage = (rows: PhotoRow[], limit: number) => toPage(rows, limit, (p) => p.id);

/** After a compare-and-swap found nothing to decide: 404 when missing, 409 once decided. */
async function notPending(db: Db, id: string): Promise<never> {
  const [photo] = await db.select({ status: photos.status }).from(photos).where(eq(photos.id, id)).limit(1);
  if (!photo) throw new ApiError(404, 'No such photo');
  throw new ApiError(409, `The photo was already ${photo.status}`);
}

/**
 * Accepts a pending photo in one batch: a compare-and-swap on its status, then, only if this
 * very batch accepted it (its reviewed_at is ours), the user's older accepted photo goes and
 * normal → celebrity. A repeated or late approval therefore changes nothing, not even a role an
 * admin has changed since.
 */
export function approveStatements(db: Db, id: string, now: number, guard?: SQL) {
  const owner = sql`(select p.user_uuid from photos p where p.id = ${id})`;
  const acceptedHere = sql`exists (select 1 from photos p where p.id = ${id} and p.status = 'accepted' and p.reviewed_at = ${now})`;
  return [
    db.update(photos).set({ status: 'accepted', reviewedAt: now }).where(and(eq(photos.id, id), eq(photos.status, 'pending'), guard)).returning(),
    db
      .delete(photos)
      .where(and(eq(photos.userUuid, owner), eq(photos.status, 'accepted'), ne(photos.id, id), acceptedHere))
      .returning({ key: photos.r2Key }),
    promote(db, owner, now, acceptedHere),
  ] as const;
}

/** After the approval batch: the accepted photo, or 404/409; superseded objects leave R2. */
export async function finishApproval(ctx: PhotoContext, id: string, [[accepted], gone]: [PhotoRow[], { key: string }[], unknown]): Promise<PhotoRow> {
  if (!accepted) return notPending(ctx.db, id);
  await dropObjects(ctx, gone.map((g) => g.key));
  return accepted;
}

/** Rejects a pending photo: the row stays as a record (status rejected), the bytes are deleted after. */
export const rejectStatement = (db: Db, id: string, now: number, guard?: SQL) =>
  db
    .update(photos)
    .set({ status: 'rejected', reviewedAt: now })
    .where(and(eq(photos.id, id), eq(photos.status, 'pending'), guard))
    .returning();

export async function finishRejection(ctx: PhotoContext, id: string, [rejected]: PhotoRow[]): Promise<PhotoRow> {
  if (!rejected) return notPending(ctx.db, id);
  await deletePhotoObjects(ctx.bucket, [rejected.r2Key]);
  return rejected;
}
