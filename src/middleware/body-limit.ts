import { bodyLimit } from 'hono/body-limit';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';
import { mediaType } from '../lib/body';
import { ApiError } from '../lib/problem';

export const JSON_LIMIT = 64 * 1024;
export const FORM_LIMIT = 16 * 1024;
/** Room for multipart boundaries and part headers around a photo. */
export const MULTIPART_OVERHEAD = 16 * 1024;

/**
 * Caps every body before anything parses it: by Content-Length when given, and by counting
 * the stream otherwise (chunked bodies), so an oversized body is refused without buffering it.
 */
export const limitBody = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    if (!c.req.raw.body) return next();
    const type = mediaType(c.req.raw);
    const maxSize =
      type === 'multipart/form-data'
        ? c.var.deps.config.PHOTO_MAX_BYTES + MULTIPART_OVERHEAD
        : type === 'application/x-www-form-urlencoded'
          ? FORM_LIMIT
          : JSON_LIMIT;
    return bodyLimit({
      maxSize,
      onError: () => {
        throw new ApiError('body_too_large', `The body is larger than ${maxSize} bytes`);
      },
    })(c, next);
  });
