import { fillPlaceholders, sql, type Placeholder } from 'drizzle-orm';
import type { Db } from './client';

/** What Drizzle's `.prepare()` gives back, as far as a batch needs it. */
interface Prepared {
  getQuery(): { sql: string; params: unknown[] };
  mapResult(result: unknown, isFromBatch?: boolean): unknown;
}

/**
 * A Drizzle statement for `db.batch`, compiled to SQL once per isolate; each call binds only
 * the values named in `names`. Building a query and rendering it to SQL costs workerd about
 * 0.05-0.3 ms of CPU per statement (docs/performance.md), on hot routes, for a text that never
 * changes. The result is mapped by the compiled query itself, so rows come back exactly as the
 * builder's would.
 *
 * For `db.batch` only (it cannot be awaited on its own). Drizzle 0.45 has no public way to batch
 * a prepared query, so the item meets what its D1 `batch()` asks of one: `_prepare()` giving
 * `{ getQuery(), stmt, mapResult() }`. The routes that use it are tested end to end, so a
 * Drizzle upgrade that changes this fails the tests at once.
 *
 * @example
 * const userById = compiled(['id'], (db, p) => db.select().from(users).where(eq(users.uuid, p.id)));
 * const [rows] = await db.batch([userById(db, { id })]);
 */
export function compiled<K extends string, Q extends { prepare(): unknown }>(names: readonly K[], build: (db: Db, p: Record<K, Placeholder>) => Q) {
  let prepared: Prepared | undefined;
  return (db: Db, values: Record<K, unknown>): Q => {
    prepared ??= build(db, Object.fromEntries(names.map((n) => [n, sql.placeholder(n)])) as unknown as Record<K, Placeholder>).prepare() as Prepared;
    const query = prepared.getQuery();
    const params = fillPlaceholders(query.params, values);
    const mapper = prepared;
    const item = {
      getQuery: () => ({ sql: query.sql, params }),
      // Prepared on this request's own binding (the compiled query's may be another env's).
      stmt: (db as Db & { $client: D1Database }).$client.prepare(query.sql),
      mapResult: (result: unknown, isFromBatch?: boolean) => mapper.mapResult(result, isFromBatch),
    };
    return { _prepare: () => item } as unknown as Q;
  };
}
