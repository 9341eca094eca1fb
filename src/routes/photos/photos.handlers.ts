import type { Context } from 'hono';
import type { AppEnv } from '../../env';
import { now } from '../../lib/clock';
import { sniffImageType, SNIFF_BYTES } from '../../lib/image-type';
import type { AppRouteHandler } from '../../lib/openapi';
import { decodeCursor } from '../../lib/pagination';
import { ApiError, notFound } from '../../lib/problem';
import { maySee } from '../../services/access';
import { authorize, callerMay } from '../../services/caller';
import {
  approveStatements,
  deleteUserPhotosStatement,
  finishApproval,
  finishRejection,
  latestShownPhotoQuery,
  photosPage,
  photosPageQuery,
  rejectStatement,
  submitPhoto,
  toPhotoDto,
  type PhotoContext,
} from '../../services/photos';
import { deletePhotoObjects } from '../../services/photo-storage';
import { toUserDto } from '../../services/users';
import type * as routes from './photos.routes';

const photoContext = (c: Context<AppEnv>): PhotoContext => ({
  db: c.get('db'),
  bucket: c.env.PHOTOS,
  config: c.get('config'),
  requestId: c.get('requestId'),
});


export const validatePhotoHandler: AppRouteHandler<typeof routes.validatePhoto> = async (c) => {
  const { file } = c.req.valid('form');
  const max = c.get('config').PHOTO_MAX_BYTES;
  // The body limit already refused bodies over PHOTO_MAX_BYTES plus multipart overhead; this
  // catches a file part that fits in that overhead but not in the photo limit.
  if (file.size > max) throw new ApiError(413, `The photo is larger than ${max} bytes`);
  const type = sniffImageType(new Uint8Array(await file.slice(0, SNIFF_BYTES).arrayBuffer()));
  if (!type) throw new ApiError(415, 'The file is not a JPEG, PNG or WebP image (judged by its bytes)');
  const image = new Uint8Array(await file.arrayBuffer());
  const result = await submitPhoto(photoContext(c), c.var.auth.user, image, type, now());
  if (result.status === 'pending') return c.json(toPhotoDto(result.photo), 202);
  return c.json(toUserDto(result.user), 200);
};

export const getPhotoHandler: AppRouteHandler<typeof routes.getPhoto> = async (c) => {
  const { uuid } = c.req.valid('param');
  // Self or admin; anyone else gets the 404 of a user without a photo.
  const [[photo]] = await authorize(c, latestShownPhotoQuery(c.get('db'), uuid));
  if (!maySee(c.var.auth.user, uuid)) throw notFound('photo');
  const object = photo && (await c.env.PHOTOS.get(photo.r2Key));
  if (!photo || !object) throw notFound('photo');
  return c.body(object.body, 200, {
    'content-type': object.httpMetadata?.contentType ?? photo.contentType,
    etag: object.httpEtag,
    // User data: never in a shared cache, and not kept by the browser either.
    'cache-control': 'private, no-store',
    'x-photo-id': photo.id,
    'x-photo-status': photo.status,
  });
};

export const deletePhotoHandler: AppRouteHandler<typeof routes.deletePhoto> = async (c) => {
  const { uuid } = c.req.valid('param');
  // The rows go in the caller's batch, guarded by the caller's right; the R2 objects only after.
  const [gone] = await authorize(c, deleteUserPhotosStatement(c.get('db'), uuid, callerMay(c.var.claims, { target: uuid })));
  if (!maySee(c.var.auth.user, uuid) || gone.length === 0) throw notFound('photo');
  await deletePhotoObjects(c.env.PHOTOS, gone.map((g) => g.key));
  return c.body(null, 204);
};

export const listPhotosHandler: AppRouteHandler<typeof routes.listPhotos> = async (c) => {
  const q = c.req.valid('query');
  const [rows] = await authorize(c, photosPageQuery(c.get('db'), { status: q.status, limit: q.limit, after: decodeCursor(q.cursor) }));
  const result = photosPage(rows, q.limit);
  return c.json({ items: result.items.map(toPhotoDto), next_cursor: result.next_cursor }, 200);
};

// Review decisions are guarded by the admin check in SQL and share its batch; R2 objects are
// deleted only after the guarded decision was written.
export const approvePhotoHandler: AppRouteHandler<typeof routes.approvePhoto> = async (c) => {
  const { id } = c.req.valid('param');
  const results = await authorize(c, ...approveStatements(c.get('db'), id, now(), callerMay(c.var.claims, { adminOnly: true })));
  return c.json(toPhotoDto(await finishApproval(photoContext(c), id, results)), 200);
};

export const rejectPhotoHandler: AppRouteHandler<typeof routes.rejectPhoto> = async (c) => {
  const { id } = c.req.valid('param');
  const [rejected] = await authorize(c, rejectStatement(c.get('db'), id, now(), callerMay(c.var.claims, { adminOnly: true })));
  return c.json(toPhotoDto(await finishRejection(photoContext(c), id, rejected)), 200);
};
