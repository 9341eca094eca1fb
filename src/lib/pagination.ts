import { z } from '@hono/zod-openapi';
import { ApiError } from './problem';
import { base64url, fromBase64url, utf8 } from './encoding';
import { UUID_PATTERN } from './ids';

/** Listings are capped at 100 items a page (each page is one indexed range scan). */
export const MAX_PAGE = 100;

export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_PAGE).default(20).openapi({ example: 20 }),
  cursor: z.string().max(200).optional().openapi({ description: 'Opaque cursor: the next_cursor of the previous page' }),
});

/** A page of items with the cursor of the next one (null on the last page). */
export const page = <T extends z.ZodType>(item: T, name: string) => z.object({ items: z.array(item), next_cursor: z.string().nullable() }).openapi(name);

/**
 * Keyset cursors: the last id of a page (ids are UUIDv7, so id order is time order),
 * wrapped so clients treat it as opaque.
 */
export const encodeCursor = (id: string) => base64url(utf8(`k1:${id}`));

/** The id a cursor points after; a cursor that is not one of ours is a 422. */
export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  let text = '';
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(fromBase64url(cursor));
  } catch {
    // fall through to the 422 below
  }
  const id = text.startsWith('k1:') ? text.slice(3) : '';
  if (!UUID_PATTERN.test(id)) {
    throw new ApiError('invalid_cursor', 'The cursor is not valid', { errors: [{ path: 'cursor', message: 'not a cursor from this API' }] });
  }
  return id;
}

/** Splits a `limit + 1` fetch into the page and the cursor of the next page. */
export function toPage<T>(rows: T[], limit: number, idOf: (row: T) => string): { items: T[]; next_cursor: string | null } {
  const items = rows.slice(0, limit);
  return { items, next_cursor: rows.length > limit ? encodeCursor(idOf(items[items.length - 1]!)) : null };
}
