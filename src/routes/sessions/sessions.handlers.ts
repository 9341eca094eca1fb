import type { AppRouteHandler } from '../../lib/openapi';
import { now } from '../../lib/clock';
import { decodeCursor } from '../../lib/pagination';
import { notFound } from '../../lib/problem';
import { visibleUser } from '../../services/access';
import { listLiveSessions, revokeSessions, toSessionDto } from '../../services/sessions';
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
  const user = await visibleUser(c, c.req.valid('param').uuid);
  await revokeSessions(c.get('db'), c.env.REVOCATIONS, c.get('config'), { userUuid: user.uuid }, 'logout_everywhere', now());
  return c.body(null, 204);
};
