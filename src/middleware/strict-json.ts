import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';
import { mediaType } from '../lib/body';
import { JsonError, decodeUtf8, isJsonMediaType, parseJsonObject } from '../lib/json';
import { ApiError } from '../lib/problem';

/**
 * Holds every JSON request body of the API to the strict parser (lib/json.ts) before any route sees it:
 * the bytes are read once (after limitBody has capped them), checked, and the decoded text is
 * left in Hono's body cache, so the zod-openapi validators' `c.req.json()` re-parses exactly
 * the text that passed. A refused body is a 400 problem, whatever the route.
 */
export const strictJson = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    const { method } = c.req.raw;
    // No route reads a body on GET or HEAD, and Fetch forbids building such a request with one.
    if (method === 'GET' || method === 'HEAD' || !c.req.raw.body) return next();
    if (!isJsonMediaType(mediaType(c.req.raw))) return next();
    const bytes = await c.req.raw.arrayBuffer();
    let text: string;
    try {
      text = decodeUtf8(bytes);
      parseJsonObject(text);
    } catch (err) {
      // A RangeError from pathological input is the client's fault too: never a 500.
      throw new ApiError('malformed_body', err instanceof JsonError ? `The JSON body was refused: ${err.message}` : 'The JSON body could not be parsed');
    }
    // A fresh Request carries the same bytes for anything that reads c.req.raw itself.
    c.req.raw = new Request(c.req.raw, { body: bytes });
    // Hono keeps promises in its body cache (its type says string); json() then re-parses this text.
    c.req.bodyCache = { text: Promise.resolve(text) as unknown as string };
    await next();
  });
