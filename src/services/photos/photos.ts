import type { PhotoRow } from '../../db/schema';
import { notFound } from '../../lib/problem';
import { toPage } from '../../lib/pagination';
import { type Access, withCaller } from '../../policy/caller';
import { allows, selfOrAdmin } from '../../policy/rules';
import type { Deps } from '../../deps';
import { deleteUserPhotos, latestShownPhoto, type PhotoStatus, photosPageQuery } from './statements';
import { deletePhotoObjects } from './storage';

/** The user's latest shown photo and its R2 object: self or admin, anyone else the 404 of no photo. */
export async function getPhoto(deps: Deps, access: Access, uuid: string): Promise<{ photo: PhotoRow; object: R2ObjectBody }> {
  const { caller, rows } = await withCaller(deps, access, { reads: { found: latestShownPhoto(deps.db, uuid) } });
  const photo = rows.found[0];
  if (!allows(selfOrAdmin(uuid), caller) || !photo) throw notFound('photo');
  const object = await deps.photos.get(photo.r2Key);
  if (!object) throw notFound('photo');
  return { photo, object };
}

/** Deletes the user's photos: the rows under the caller's guard, the R2 objects only after. */
export async function deletePhoto(deps: Deps, access: Access, uuid: string): Promise<void> {
  const { caller, rows } = await withCaller(deps, access, { writes: (may) => ({ gone: deleteUserPhotos(deps.db, uuid, may.to(selfOrAdmin(uuid))) }) });
  if (!allows(selfOrAdmin(uuid), caller) || rows.gone.length === 0) throw notFound('photo');
  await deletePhotoObjects(
    deps.photos,
    rows.gone.map((g) => g.key),
  );
}

/** The review queue (the route's rule: admin). */
export async function listPhotos(deps: Deps, access: Access, q: { status: PhotoStatus; limit: number; after?: string }) {
  const { rows } = await withCaller(deps, access, { reads: { page: photosPageQuery(deps.db, q) } });
  return toPage(rows.page, q.limit, (p) => p.id);
}
