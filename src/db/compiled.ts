import { fillPlaceholders, type Placeholder, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import type { Db } from './client';
import type { ResultOf, Statement, StatementKind } from './statement';

/**
 * The part of Drizzle's prepared query that `db.batch` uses (drizzle-orm 0.45, pinned exactly
 * in package.json): `_prepare()` giving `{ getQuery(), stmt, mapResult() }`. Drizzle has no
 * public way to batch a prepared query; test/unit/compiled.test.ts holds this contract against
 * the installed version, so an upgrade that changes it fails there first.
 */
export interface BatchInternals {
  getQuery(): { sql: string; params: unknown[] };
  stmt: D1PreparedStatement;
  mapResult(result: unknown, isFromBatch?: boolean): unknown;
}

interface Prepared {
  getQuery(): { sql: string; params: unknown[] };
  mapResult(result: unknown, isFromBatch?: boolean): unknown;
}

/**
 * A statement compiled to SQL once per isolate; each call binds only the values named in
 * `names`. Building a query and rendering it to SQL costs workerd about 0.05-0.3 ms of CPU per
 * statement (docs/performance.md), on hot routes, for a text that never changes. Rows are
 * mapped by the compiled query itself, so they come back exactly as the builder's would.
 * The result is a branded Statement: only `runBatch` accepts it.
 *
 * @example
 * const userById = compiled('read', ['id'], (db, p) => db.select().from(users).where(eq(users.uuid, p.id)));
 * const { user } = await runBatch(db, { user: userById(db, { id }) });
 */
export function compiled<K extends StatementKind, N extends string, Q extends BatchItem<'sqlite'> & { prepare(): unknown }>(
  kind: K,
  names: readonly N[],
  build: (db: Db, p: Record<N, Placeholder>) => Q,
) {
  let prepared: Prepared | undefined;
  return (db: Db, values: Record<N, unknown>): Statement<ResultOf<Q>, K> => {
    prepared ??= build(db, Object.fromEntries(names.map((n) => [n, sql.placeholder(n)])) as unknown as Record<N, Placeholder>).prepare() as Prepared;
    const query = prepared.getQuery();
    const params = fillPlaceholders(query.params, values);
    const mapper = prepared;
    const item: BatchInternals = {
      getQuery: () => ({ sql: query.sql, params }),
      // Prepared on this request's own binding (the compiled query's may be another env's).
      stmt: (db as Db & { $client: D1Database }).$client.prepare(query.sql),
      mapResult: (result, isFromBatch) => mapper.mapResult(result, isFromBatch),
    };
    void kind;
    return { _prepare: () => item } as unknown as Statement<ResultOf<Q>, K>;
  };
}
