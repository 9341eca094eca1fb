import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';
import { BodyError, bodyKind, readObjectBody } from '../lib/body';
import { ApiError } from '../lib/problem';

/**
 * Lets a JSON route also take `application/x-www-form-urlencoded` (as sign-up does): the form
 * is read, refused if a field repeats, and handed on as a JSON request, so one zod schema
 * validates both and the handler never sees the difference.
 */
export const formAsJson = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    if (bodyKind(c.req.raw) === 'form') {
      let fields: Record<string, unknown>;
      try {
        fields = await readObjectBody(c.req.raw, 'form');
      } catch (err) {
        if (err instanceof BodyError) throw new ApiError('malformed_body', err.message);
        throw err;
      }
      const headers = new Headers(c.req.raw.headers);
      headers.set('content-type', 'application/json');
      headers.delete('content-length');
      c.req.raw = new Request(c.req.raw, { headers, body: JSON.stringify(fields) });
      c.req.bodyCache = {};
    }
    await next();
  });
