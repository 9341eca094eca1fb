import { createMiddleware } from 'hono/factory';
import type { User } from '../../db/schema';
import type { AppEnv } from '../../env';
import { checkUploader } from '../../services/photos/upload-photo';

/**
 * Upload is for the user themselves (src/services/photos/upload-photo.ts `checkUploader`). It
 * runs before the body is validated, so nobody gets a multipart body parsed (up to
 * PHOTO_MAX_BYTES) for a request that is refused anyway.
 */
export const uploaderOnly = () =>
  createMiddleware<AppEnv & { Variables: { uploader: User } }>(async (c, next) => {
    c.set('uploader', await checkUploader(c.var.deps, c.var.access, c.req.param('uuid') ?? ''));
    await next();
  });
