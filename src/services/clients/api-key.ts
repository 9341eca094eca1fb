import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { Db } from '../../db/client';
import { compiled } from '../../db/compiled';
import { clients } from '../../db/schema';
import { ApiError } from '../../lib/problem';

/**
 * `last_used_at` of a client moves at most once a minute: not a D1 write per request, and no
 * write statement in the request's batch (which would make every keyed read a write).
 */
export const KEY_TOUCH_INTERVAL_MS = 60_000;

/**
 * The `X-API-Key` a request came with (src/middleware/api-key.ts). `expect` is set by
 * requireAuth for a token issued through a third-party client: the key must be that client's.
 * `client` is filled in by the request's first D1 batch, which checked the key.
 */
export interface ApiKeyUse {
  hash: string;
  expect?: string;
  client?: { id: string; organizationId: string };
  checked: boolean;
}

/**
 * The key check, first in the request's first batch. One row always comes out (the left join
 * of a one-row table): the active client with this key hash (and, for a third-party token, the
 * token's client id), or nulls. With nulls, the path handed to json_extract is not a JSON path,
 * so SQLite raises "bad JSON path: 'api_key_invalid'": the statement fails, and with it the
 * whole batch, which D1 runs as one transaction. Nothing the request's own statements would
 * have read or changed happens. The path depends on a column of the join, so SQLite cannot
 * evaluate it once up front as a constant: it raises only for a row without a client.
 */
const keyCheck = compiled('read', ['hash', 'expect'], (db, p) =>
  db
    .select({
      id: clients.id,
      organizationId: clients.organizationId,
      lastUsedAt: clients.lastUsedAt,
      ok: sql<null>`json_extract('{}', iif(${clients.id} is null, 'api_key_invalid', '$.ok'))`,
    })
    .from(sql`(select 1) as one`)
    .leftJoin(clients, and(eq(clients.keyHash, p.hash), isNull(clients.revokedAt), sql`(${p.expect} is null or ${clients.id} = ${p.expect})`)),
);

/** `last_used_at` of the key's client, at most once a minute (guarded again: concurrent requests may all ask). */
const keyTouch = compiled('write', ['hash', 'now', 'before'], (db, p) =>
  db
    .update(clients)
    .set({ lastUsedAt: sql`${p.now}` })
    .where(and(eq(clients.keyHash, p.hash), isNull(clients.revokedAt), or(isNull(clients.lastUsedAt), lt(clients.lastUsedAt, p.before)))),
);

const REFUSAL = /JSON path[\s\S]*api_key_invalid/;

/** Whether an error of a batch is the key check's refusal (its own message, or a wrapper's cause). */
function isKeyRefusal(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) if (REFUSAL.test(e.message)) return true;
  return false;
}

export const apiKeyInvalid = (detail = 'The API key is unknown or revoked, or not the one this token was obtained with') =>
  new ApiError('api_key_invalid', detail);

/**
 * The request's Db, whose first batch starts with the key check: the key costs no round trip of
 * its own. When the check reads a `last_used_at` older than a minute, the touch runs after the
 * response (`defer`, the request's waitUntil): one more round trip per key and minute, off the
 * response's path. Everything else is the request's Db itself (its prototype).
 */
export function withKeyCheck(db: Db, use: ApiKeyUse, now: () => number, defer: (work: Promise<unknown>) => void): Db {
  const checked = Object.create(db) as Db;
  const batch = async (items: BatchItem<'sqlite'>[]) => {
    if (use.checked) return db.batch(items as [BatchItem<'sqlite'>]);
    use.checked = true;
    const check = keyCheck(db, { hash: use.hash, expect: use.expect ?? null }) as unknown as BatchItem<'sqlite'>;
    const results = (await db.batch([check, ...items] as [BatchItem<'sqlite'>]).catch((err: unknown) => {
      throw isKeyRefusal(err) ? apiKeyInvalid() : err;
    })) as unknown[];
    const found = (results[0] as { id: string | null; organizationId: string | null; lastUsedAt: number | null }[])[0];
    if (!found?.id || !found.organizationId) throw apiKeyInvalid();
    use.client = { id: found.id, organizationId: found.organizationId };
    const at = now();
    const before = at - KEY_TOUCH_INTERVAL_MS;
    if (found.lastUsedAt === null || found.lastUsedAt < before) {
      const touch = keyTouch(db, { hash: use.hash, now: at, before }) as unknown as BatchItem<'sqlite'>;
      // Only a timestamp for listings: a failure loses nothing the next minute does not redo.
      defer(db.batch([touch] as [BatchItem<'sqlite'>]).catch(() => undefined));
    }
    return results.slice(1);
  };
  Object.defineProperty(checked, 'batch', { value: batch });
  return checked;
}

/** Checks the key on its own: for a request whose route made no batch of its own. */
export async function checkKeyAlone(db: Db): Promise<void> {
  await db.batch([] as unknown as [BatchItem<'sqlite'>]);
}
