import type { AppRouteHandler } from '../../lib/openapi';
import { now } from '../../lib/clock';
import { decodeCursor } from '../../lib/pagination';
import { notFound } from '../../lib/problem';
import { listLiveSessions, revokeAllSessionsOf, revokeSessions, toSessionDto } from '../../services/sessions';
import type * as routes from './sessions.routes';

export const listMySessionsHandler: AppRouteHandler<typeof routes.listMySessions> = async (c) => {
  const q = c.req.valid('query');
  const { user, sessionId } = c.var.auth;
  const result = await listLiveSessions(c.get('db'), user.uuid, { limit: q.limit, after: decodeCursor(q.cursor) }, now());
  return c.json({ items: result.items.map((s) => toSessionDto(s, sessionId)), next_cursor: result.next_cursor }, 200);
};

export const deleteMySessionHandler: AppRouteHandler<typeof routes.deleteMySession> = async (c) => {
  const { user } = c.var.auth;
  const ids = await revokeSessions(c.get('db'), c.env.REVOCATIONS, c.get('config'), { userUuid: user.uuid, sessionId: c.req.valid('param').id }, 'session_revoked', now());
  if (ids.length === 0) throw notFound('session');
  return c.body(null, 204);
};

export const deleteUserSessionsHandler: AppRouteHandler<typeof routes.deleteUserSessions> = async (c) => {
  const caller = c.var.auth.user;
  const { uuid } = c.req.valid('param');
  // Self or admin (as visibleUser decides), folded into the revoking batch: one round trip.
  if (uuid !== caller.uuid && caller.role !== 'admin') throw notFound('user');
  const { userExists } = await revokeAllSessionsOf(c.get('db'), c.env.REVOCATIONS, c.get('config'), uuid, now());
  if (!userExists) throw notFound('user');
  return c.body(null, 204);
};
