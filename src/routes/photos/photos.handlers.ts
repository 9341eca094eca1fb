import type { AppRouteHandler } from '../../http/openapi';
import { decodeCursor } from '../../lib/pagination';
import { toPhotoDto } from '../../schemas/photo';
import { toUserDto } from '../../schemas/user';
import { deletePhoto, getPhoto, listPhotos } from '../../services/photos/photos';
import { approvePhoto, rejectPhoto } from '../../services/photos/review-photo';
import { submitPhotoFile } from '../../services/photos/upload-photo';
import type * as routes from './photos.routes';

export const validatePhotoHandler: AppRouteHandler<typeof routes.validatePhoto> = async (c) => {
  const result = await submitPhotoFile(c.var.deps, c.var.access, c.var.uploader, c.req.valid('form').file);
  if (result.status === 'pending') return c.json(toPhotoDto(result.photo), 202);
  return c.json(toUserDto(result.user), 200);
};

export const getPhotoHandler: AppRouteHandler<typeof routes.getPhoto> = async (c) => {
  const { photo, object } = await getPhoto(c.var.deps, c.var.access, c.req.valid('param').uuid);
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
  await deletePhoto(c.var.deps, c.var.access, c.req.valid('param').uuid);
  return c.body(null, 204);
};

export const listPhotosHandler: AppRouteHandler<typeof routes.listPhotos> = async (c) => {
  const q = c.req.valid('query');
  const page = await listPhotos(c.var.deps, c.var.access, { status: q.status, limit: q.limit, after: decodeCursor(q.cursor) });
  return c.json({ items: page.items.map(toPhotoDto), next_cursor: page.next_cursor }, 200);
};

export const approvePhotoHandler: AppRouteHandler<typeof routes.approvePhoto> = async (c) =>
  c.json(toPhotoDto(await approvePhoto(c.var.deps, c.var.access, c.req.valid('param').id)), 200);

export const rejectPhotoHandler: AppRouteHandler<typeof routes.rejectPhoto> = async (c) =>
  c.json(toPhotoDto(await rejectPhoto(c.var.deps, c.var.access, c.req.valid('param').id)), 200);
