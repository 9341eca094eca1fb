import type { BatchItem } from 'drizzle-orm/batch';
import type { Db } from './client';

declare const KIND: unique symbol;

/**
 * What a statement is allowed to do in a batch:
 * - `read`: a SELECT; safe anywhere, its rows are dropped when the caller is refused;
 * - `write`: a change made without a caller (sign-up, the token grants, the cron);
 * - `guarded`: a change whose WHERE carries an access guard (src/policy/guard.ts), the only
 *   kind of change a batch that loads the caller accepts.
 */
export type StatementKind = 'read' | 'write' | 'guarded';

/**
 * A statement for `runBatch`, and nothing else: it cannot be awaited or run on its own, so
 * every statement of a request goes through one batch (one D1 round trip, one transaction).
 * `T` is what its result maps to. At run time it is a Drizzle query (or a compiled one,
 * src/db/compiled.ts); only the type is narrowed.
 */
export interface Statement<T, K extends StatementKind = StatementKind> {
  readonly [KIND]: K;
  readonly _: { readonly dialect: 'sqlite'; readonly result: T };
}

/** What a Drizzle query's result maps to (the `_.result` its batch reads). */
export type ResultOf<Q> = Q extends { readonly _: { readonly result: infer R } } ? R : never;

/** What only Drizzle's select builders carry (updates and deletes have no `selectedFields`). */
type Select = BatchItem<'sqlite'> & { readonly _: { readonly selectedFields: unknown } };

/** A SELECT as a batch statement. */
export const read = <Q extends Select>(query: Q) => query as unknown as Statement<ResultOf<Q>, 'read'>;

/** A change made without a caller to guard it (sign-up, the token grants, the cron). */
export const write = <Q extends BatchItem<'sqlite'>>(query: Q) => query as unknown as Statement<ResultOf<Q>, 'write'>;

/** Any statement's result type. */
export type Result<S> = S extends Statement<infer T> ? T : never;

export type Statements = Record<string, Statement<unknown>>;
export type Results<S extends Statements> = { [K in keyof S]: Result<S[K]> };

/**
 * Runs named statements as one D1 batch: one round trip, executed as one transaction (D1 has
 * no interactive ones), results by name rather than by position in a tuple.
 *
 * @example const { user, logins } = await runBatch(db, { user: findUser(db, uuid), logins: loginsOf(db, uuid) });
 */
export async function runBatch<S extends Statements>(db: Db, statements: S): Promise<Results<S>> {
  const names = Object.keys(statements);
  if (names.length === 0) return {} as Results<S>;
  const items = names.map((n) => statements[n]) as unknown as [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]];
  const results = (await db.batch(items)) as unknown[];
  return Object.fromEntries(names.map((n, i) => [n, results[i]])) as Results<S>;
}
