import { and, eq, type SQL, sql } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import { alias } from 'drizzle-orm/sqlite-core';
import { sessions, users } from '../db/schema';
import type { ResultOf, Statement } from '../db/statement';
import { liveSession } from './live-session';
import { type Rule, ruleSql } from './rules';

declare const GUARD: unique symbol;

/**
 * SQL that is true only while the caller may make a change: their session is live, they are
 * enabled, and they satisfy the rule. Only src/policy/caller.ts makes guards (from the token's
 * claims and the route's rule), and only `guarded()` turns a change into a statement that a
 * caller batch accepts, so an unguarded write in such a batch does not type-check.
 */
export interface Guard {
  readonly [GUARD]: true;
  readonly sql: SQL;
}

/**
 * Who the caller says they are, trusted only after the caller batch: a verified access token's
 * `sub` and `sid`, or a page's session cookie, whose secret must then match its session's
 * `cookie_hash` (a refresh-token session has none, so a cookie never stands in for a token).
 */
export interface Claims {
  sub: string;
  sid: string;
  /** SHA-256 of a browser session cookie's secret; absent for an access token. */
  cookieHash?: string;
  /** The token's RFC 9068 `client_id` (absent for a page's cookie: the first-party client). */
  clientId?: string;
  /**
   * A client-credentials token: `sub` is the client itself, not a user. Its caller is the client's
   * row while it is not revoked, and no guard made from these claims matches any user.
   */
  client?: true;
}

const cu = alias(users, 'cu');
const cs = alias(sessions, 'cs');

/** @internal for src/policy/caller.ts */
export function makeGuard(claims: Claims, rule: Rule, now: number, opts: { revokedInBatchAt?: number } = {}): Guard {
  const cookie = claims.cookieHash === undefined ? undefined : eq(cs.cookieHash, claims.cookieHash);
  const on = and(eq(cs.id, claims.sid), eq(cs.userUuid, cu.uuid), cookie, liveSession(cs, now, opts));
  const where = and(eq(cu.uuid, claims.sub), eq(cu.disabled, false), ruleSql(rule, cu));
  // The aliases are named in FROM by hand: Drizzle renders an alias inside sql`` as its name alone.
  return { sql: sql`exists (select 1 from ${users} "cu" inner join ${sessions} "cs" on ${on} where ${where})` } as Guard;
}

/**
 * A change that may share a batch with the caller check: `build` receives the guard's SQL and
 * must AND it into the statement's WHERE (or its upsert's `setWhere` and insert-select). The
 * round-trip test checks on the SQL D1 receives that every change in a caller batch carries it.
 *
 * @example guarded(guard, (may) => db.delete(photos).where(and(eq(photos.userUuid, uuid), may)).returning())
 */
export const guarded = <Q extends BatchItem<'sqlite'>>(guard: Guard, build: (may: SQL) => Q) =>
  build(guard.sql) as unknown as Statement<ResultOf<Q>, 'guarded'>;
