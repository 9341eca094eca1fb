import type { AppRouteHandler } from '../../http/openapi';
import { decodeCursor } from '../../lib/pagination';
import { toAuditEventDto } from '../../schemas/audit';
import { listEvents, mySecurityEvents } from '../../services/audit/read-events';
import type * as routes from './audit.routes';

const query = (q: { limit: number; cursor?: string; event?: string; since?: string; until?: string }) => ({
  limit: q.limit,
  after: decodeCursor(q.cursor),
  event: q.event,
  since: q.since ? Date.parse(q.since) : undefined,
  until: q.until ? Date.parse(q.until) : undefined,
});
const dto = (p: Awaited<ReturnType<typeof listEvents>>) => ({ items: p.items.map(toAuditEventDto), next_cursor: p.next_cursor });

export const listAuditHandler: AppRouteHandler<typeof routes.listAudit> = async (c) => {
  const q = c.req.valid('query');
  return c.json(dto(await listEvents(c.var.deps, c.var.access, { ...query(q), subject: q.user })), 200);
};

export const listMySecurityEventsHandler: AppRouteHandler<typeof routes.listMySecurityEvents> = async (c) =>
  c.json(dto(await mySecurityEvents(c.var.deps, c.var.access, query(c.req.valid('query')))), 200);
