import type { AppRouteHandler } from '../../lib/openapi';
import { now } from '../../lib/clock';
import { decodeCursor } from '../../lib/pagination';
import { notFound } from '../../lib/problem';
import { authorize, callerMay } from '../../services/caller';
import { recordRevocations } from '../../services/revocation';
import { liveSessionsQuery, revokeSessionsStatement, sessionsPage, toSessionDto } from '../../services/sessions';
import { findUserQuery } from '../../services/users';
import type * as routes from './sessions.routes';

export const listMySessionsHandler: AppRouteHandler<typeof routes.listMySessions> = async (c) => {
  const q = c.req.valid('query');
  const { sub, sid } = c.var.claims;
  const [rows] = await authorize(c, liveSessionsQuery(c.get('db'), sub, { limit: q.limit, after: decodeCursor(q.cursor) }, now()));
  const page = sessionsPage(rows, q.limit);
  return c.json({ items: page.items.map((s) => toSessionDto(s, sid)), next_cursor: page.next_cursor }, 200);
};

/** One round trip: the revoke is guarded by the caller check in SQL, so a refused caller changes nothing. */
export const deleteMySessionHandler: AppRouteHandler<typeof routes.deleteMySession> = async (c) => {
  const { claims } = c.var;
  const at = now();
  const [revoked] = await authorize(
    c,
    revokeSessionsStatement(c.get('db'), { userUuid: claims.sub, sessionId: c.req.valid('param').id, guard: callerMay(claims, {}) }, at),
  );
  if (revoked.length === 0) throw notFound('session');
  await recordRevocations(c.env.REVOCATIONS, revoked, 'session_revoked', c.get('config').ACCESS_TOKEN_TTL_SECONDS, at);
  return c.body(null, 204);
};

/** Log out everywhere (self) or a forced logout (admin); anyone else gets the 404 of a missing user. */
export const deleteUserSessionsHandler: AppRouteHandler<typeof routes.deleteUserSessions> = async (c) => {
  const { uuid } = c.req.valid('param');
  const db = c.get('db');
  const at = now();
  const [found, revoked] = await authorize(
    c,
    findUserQuery(db, uuid),
    revokeSessionsStatement(db, { userUuid: uuid, guard: callerMay(c.var.claims, { target: uuid }) }, at),
  );
  const caller = c.var.auth.user;
  if ((uuid !== caller.uuid && caller.role !== 'admin') || found.length === 0) throw notFound('user');
  await recordRevocations(c.env.REVOCATIONS, revoked, 'logout_everywhere', c.get('config').ACCESS_TOKEN_TTL_SECONDS, at);
  return c.body(null, 204);
};
