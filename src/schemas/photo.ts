import { z } from '@hono/zod-openapi';
import type { PhotoRow } from '../db/schema';
import { iso, isoOrNull } from '../lib/clock';
import { IMAGE_TYPES, type ImageType } from '../lib/image-type';
import { page, PageQuery } from '../lib/pagination';

export const PhotoStatusSchema = z.enum(['pending', 'accepted', 'rejected']).openapi({ example: 'pending' });

export const PhotoSchema = z
  .object({
    id: z.uuid(),
    user_uuid: z.uuid(),
    status: PhotoStatusSchema,
    content_type: z.enum(IMAGE_TYPES),
    size: z.number().int().min(1),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    created_at: z.iso.datetime(),
    reviewed_at: z.iso.datetime().nullable(),
  })
  .strict()
  .openapi('Photo');

export const PhotoPageSchema = page(PhotoSchema, 'PhotoPage');

export const PhotoListQuery = PageQuery.extend({ status: PhotoStatusSchema.default('pending') });

export const PhotoIdParam = z.object({
  id: z.uuid().openapi({ param: { name: 'id', in: 'path' }, example: '019a8f3e-6b1c-7d2e-9f10-5a6b7c8d9e0f' }),
});

/**
 * The multipart upload: exactly one `file` part. Its type is decided later from its bytes; the
 * part's file name and declared type are ignored.
 */
export const PhotoUploadSchema = z
  .object({
    file: z
      .custom<File>((v) => v instanceof File, 'must be one file part')
      .openapi({ type: 'string', format: 'binary', description: 'A JPEG, PNG or WebP photo' }),
  })
  .openapi('PhotoUpload');

/** The public shape of a photo's metadata (the bytes are served by GET /user/{uuid}/photo). */
export const toPhotoDto = (p: PhotoRow): z.infer<typeof PhotoSchema> => ({
  id: p.id,
  user_uuid: p.userUuid,
  status: p.status,
  content_type: p.contentType as ImageType,
  size: p.size,
  sha256: p.sha256,
  created_at: iso(p.createdAt),
  reviewed_at: isoOrNull(p.reviewedAt),
});
