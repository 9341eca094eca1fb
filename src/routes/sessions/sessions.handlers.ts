import type { AppRouteHandler } from '../../http/openapi';
import { decodeCursor } from '../../lib/pagination';
import { toSessionDto } from '../../schemas/session';
import { listMySessions, revokeMySession, revokeUserSessions } from '../../services/sessions/sessions';
import type * as routes from './sessions.routes';

export const listMySessionsHandler: AppRouteHandler<typeof routes.listMySessions> = async (c) => {
  const q = c.req.valid('query');
  const page = await listMySessions(c.var.deps, c.var.access, { limit: q.limit, after: decodeCursor(q.cursor) });
  return c.json({ items: page.items.map((s) => toSessionDto(s, page.currentSessionId)), next_cursor: page.next_cursor }, 200);
};

export const deleteMySessionHandler: AppRouteHandler<typeof routes.deleteMySession> = async (c) => {
  await revokeMySession(c.var.deps, c.var.access, c.req.valid('param').id);
  return c.body(null, 204);
};

export const deleteUserSessionsHandler: AppRouteHandler<typeof routes.deleteUserSessions> = async (c) => {
  await revokeUserSessions(c.var.deps, c.var.access, c.req.valid('param').uuid);
  return c.body(null, 204);
};
