import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../../env';
import { notFound } from '../../lib/problem';
import { authorize } from '../../services/caller';

/**
 * Upload is for the user themselves, admins included: anyone else's `{uuid}` is the same 404
 * as a user that does not exist. It runs before the body is validated, so nobody gets a
 * multipart body parsed (up to PHOTO_MAX_BYTES) for a request that is refused anyway.
 */
export const selfOnly = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    // The caller is loaded first: the upload writes to R2 and may call a paid recognizer.
    await authorize(c);
    if (c.req.param('uuid') !== c.var.auth.user.uuid) throw notFound('user');
    await next();
  });
