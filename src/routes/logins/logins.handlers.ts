import type { AppRouteHandler } from '../../http/openapi';
import { decodeCursor } from '../../lib/pagination';
import { toLoginDto } from '../../schemas/login';
import { getLogin, listAllLogins, listMyLogins, listUserLogins } from '../../services/logins/logins';
import type * as routes from './logins.routes';

const page = (q: { limit: number; cursor?: string }) => ({ limit: q.limit, after: decodeCursor(q.cursor) });
const dto = (p: Awaited<ReturnType<typeof listAllLogins>>) => ({ items: p.items.map(toLoginDto), next_cursor: p.next_cursor });

export const listMyLoginsHandler: AppRouteHandler<typeof routes.listMyLogins> = async (c) =>
  c.json(dto(await listMyLogins(c.var.deps, c.var.access, page(c.req.valid('query')))), 200);

export const listUserLoginsHandler: AppRouteHandler<typeof routes.listUserLogins> = async (c) =>
  c.json(dto(await listUserLogins(c.var.deps, c.var.access, c.req.valid('param').uuid, page(c.req.valid('query')))), 200);

export const listAllLoginsHandler: AppRouteHandler<typeof routes.listAllLogins> = async (c) =>
  c.json(dto(await listAllLogins(c.var.deps, c.var.access, page(c.req.valid('query')))), 200);

export const getMyLoginHandler: AppRouteHandler<typeof routes.getMyLogin> = async (c) =>
  c.json(toLoginDto(await getLogin(c.var.deps, c.var.access, c.req.valid('param').id, 'me')), 200);

export const getUserLoginHandler: AppRouteHandler<typeof routes.getUserLogin> = async (c) => {
  const { uuid, id } = c.req.valid('param');
  return c.json(toLoginDto(await getLogin(c.var.deps, c.var.access, id, uuid)), 200);
};

export const getLoginHandler: AppRouteHandler<typeof routes.getLogin> = async (c) =>
  c.json(toLoginDto(await getLogin(c.var.deps, c.var.access, c.req.valid('param').id)), 200);
