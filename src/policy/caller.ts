import { and, eq, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import { compiled } from '../db/compiled';
import { clients, sessions, type User, userColumns, users } from '../db/schema';
import { runBatch, type Results, type Statement } from '../db/statement';
import { forbidden, unauthorized } from '../lib/problem';
import type { Deps } from '../deps';
import { type Claims, type Guard, guarded, makeGuard } from './guard';
import { liveSession } from './live-session';
import { allows, both, CLIENT_ORG_ROLE, type Rule } from './rules';

/**
 * The access a route was entered with: the verified token's claims and the rule the route
 * declared (`requireAuth(admin)`). `checked` is set once the caller batch has run, so
 * requireAuth can refuse a handler that answered without checking the caller.
 */
export interface Access {
  readonly claims: Claims;
  readonly rule: Rule;
  checked: boolean;
}

/** The caller's row while their session is live and they are enabled: compiled once per isolate. */
const callerStatement = compiled('read', ['sid', 'sub', 'now'], (db, p) =>
  db
    .select({ user: userColumns })
    .from(users)
    .innerJoin(sessions, and(eq(sessions.id, p.sid), eq(sessions.userUuid, users.uuid), liveSession(sessions, p.now)))
    .where(and(eq(users.uuid, p.sub), eq(users.disabled, false)))
    .limit(1),
);

/** The same for a page's session cookie: the session must be the one the cookie's secret opens. */
const cookieCallerStatement = compiled('read', ['sid', 'sub', 'now', 'cookieHash'], (db, p) =>
  db
    .select({ user: userColumns })
    .from(users)
    .innerJoin(sessions, and(eq(sessions.id, p.sid), eq(sessions.userUuid, users.uuid), eq(sessions.cookieHash, p.cookieHash), liveSession(sessions, p.now)))
    .where(and(eq(users.uuid, p.sub), eq(users.disabled, false)))
    .limit(1),
);

/** A client-credentials token's caller: its client while not revoked (revoking the key ends its tokens at once). */
const clientCallerStatement = compiled('read', ['id'], (db, p) =>
  db
    .select({ id: clients.id, organizationId: clients.organizationId })
    .from(clients)
    .where(and(eq(clients.id, p.id), isNull(clients.revokedAt)))
    .limit(1),
);

/**
 * The stand-in a rule sees for a client: its id, no role any rule names, and the org role
 * `client` in its own organization (src/policy/rules.ts orgReader); nothing else about it is a user's.
 */
const clientCaller = (row: { id: string; organizationId: string }): User =>
  ({ uuid: row.id, role: 'client', organizationId: row.organizationId, orgRole: CLIENT_ORG_ROLE, disabled: false }) as unknown as User;

/** A browser session's sliding expiry moves at most once a minute: not a D1 write per page view. */
export const TOUCH_INTERVAL_MS = 60_000;

/**
 * Slides a browser session (it has no refresh to do it): `last_used_at` and the expiry move on
 * by the session's own idle time, never past its absolute cap. Guarded like every change of a
 * caller batch, and in the same batch, so a page view costs no extra round trip.
 */
const touchBrowserSession = (deps: Deps, claims: Claims, guard: Guard, now: number) =>
  guarded(guard, (may) =>
    deps.db
      .update(sessions)
      .set({ lastUsedAt: now, expiresAt: sql`min(${now} + ${sessions.idleSeconds} * 1000, ${sessions.absoluteExpiresAt})` })
      .where(and(eq(sessions.id, claims.sid), isNotNull(sessions.idleSeconds), lt(sessions.lastUsedAt, now - TOUCH_INTERVAL_MS), may)),
  );

/**
 * Guards for this caller. Each is the route's own rule AND the operation's (`to`), so a write
 * can never be allowed more than the route: an admin route's writes need an admin.
 */
export interface May {
  route: Guard;
  to(rule: Rule, opts?: { revokedInBatchAt?: number }): Guard;
}

type Reads = Record<string, Statement<unknown, 'read'>>;
type Writes = Record<string, Statement<unknown, 'guarded'>>;

export interface Plan<R extends Reads, W extends Writes> {
  reads?: R;
  /** Changes, each built from a guard of `may`: a change without one does not type-check. */
  writes?: (may: May) => W;
}

export interface Checked<T> {
  caller: User;
  sessionId: string;
  rows: T;
}

/**
 * Loads the caller and runs the operation's statements in the same D1 batch: one round trip
 * for an authenticated request. The caller is judged after the batch (401 for an ended
 * session, a disabled or deleted user; 403 when the route's rule refuses them), which is why
 * every change in the batch carries a guard: a refused caller changes nothing, counters
 * included. Rows read for a refused caller are dropped with the error.
 *
 * @example
 * const { caller, rows } = await withCaller(deps, access, {
 *   reads: { found: findUser(db, uuid) },
 *   writes: (may) => ({ revoked: revokeSessions(db, { userUuid: uuid }, may.to(selfOrAdmin(uuid)), now) }),
 * });
 */
export async function withCaller<R extends Reads = {}, W extends Writes = {}>(
  deps: Deps,
  access: Access,
  plan: Plan<R, W>,
  now = deps.now(),
): Promise<Checked<Results<R & W>>> {
  const { claims, rule } = access;
  // Guards are SQL built per request: only a batch that writes pays for them (GET /user/me does not).
  const writes = plan.writes
    ? plan.writes({ route: makeGuard(claims, rule, now), to: (operation, opts) => makeGuard(claims, both(rule, operation), now, opts) })
    : ({} as W);
  const { cookieHash } = claims;
  const {
    $caller: callerRows,
    $touch: _touched,
    ...rows
  } = await runBatch(deps.db, {
    $caller: claims.client
      ? clientCallerStatement(deps.db, { id: claims.sub })
      : cookieHash === undefined
        ? callerStatement(deps.db, { sid: claims.sid, sub: claims.sub, now })
        : cookieCallerStatement(deps.db, { sid: claims.sid, sub: claims.sub, now, cookieHash }),
    ...plan.reads,
    ...writes,
    // Last, after the batch's own checks of the session: sliding it first would not change them
    // (the slide only moves the expiry later), but the order keeps each guard reading one state.
    ...(cookieHash === undefined ? {} : { $touch: touchBrowserSession(deps, claims, makeGuard(claims, rule, now), now) }),
  });
  access.checked = true;
  const caller = claims.client ? (callerRows as { id: string; organizationId: string }[]).map(clientCaller)[0] : (callerRows as { user: User }[])[0]?.user;
  if (!caller) throw unauthorized('The session has ended');
  if (!allows(rule, caller)) throw forbidden();
  return { caller, sessionId: claims.sid, rows: rows as unknown as Results<R & W> };
}
