import type { AppRouteHandler } from '../../lib/openapi';
import { decodeCursor } from '../../lib/pagination';
import { notFound } from '../../lib/problem';
import { visibleUser } from '../../services/access';
import { findLogin, listLogins, toLoginDto } from '../../services/logins';
import type * as routes from './logins.routes';

const pageOf = (result: Awaited<ReturnType<typeof listLogins>>) => ({ items: result.items.map(toLoginDto), next_cursor: result.next_cursor });

export const listMyLoginsHandler: AppRouteHandler<typeof routes.listMyLogins> = async (c) => {
  const q = c.req.valid('query');
  return c.json(pageOf(await listLogins(c.get('db'), { userUuid: c.var.auth.user.uuid, limit: q.limit, after: decodeCursor(q.cursor) })), 200);
};

export const listUserLoginsHandler: AppRouteHandler<typeof routes.listUserLogins> = async (c) => {
  const q = c.req.valid('query');
  const user = await visibleUser(c, c.req.valid('param').uuid);
  return c.json(pageOf(await listLogins(c.get('db'), { userUuid: user.uuid, limit: q.limit, after: decodeCursor(q.cursor) })), 200);
};

export const listAllLoginsHandler: AppRouteHandler<typeof routes.listAllLogins> = async (c) => {
  const q = c.req.valid('query');
  return c.json(pageOf(await listLogins(c.get('db'), { limit: q.limit, after: decodeCursor(q.cursor) })), 200);
};

export const getMyLoginHandler: AppRouteHandler<typeof routes.getMyLogin> = async (c) => {
  const login = await findLogin(c.get('db'), c.req.valid('param').id, c.var.auth.user.uuid);
  if (!login) throw notFound('login record');
  return c.json(toLoginDto(login), 200);
};

export const getUserLoginHandler: AppRouteHandler<typeof routes.getUserLogin> = async (c) => {
  const { uuid, id } = c.req.valid('param');
  const user = await visibleUser(c, uuid);
  const login = await findLogin(c.get('db'), id, user.uuid);
  if (!login) throw notFound('login record');
  return c.json(toLoginDto(login), 200);
};

/** Owner or admin; someone else's record is the same 404 as a missing one. */
export const getLoginHandler: AppRouteHandler<typeof routes.getLogin> = async (c) => {
  const caller = c.var.auth.user;
  const login = await findLogin(c.get('db'), c.req.valid('param').id, caller.role === 'admin' ? undefined : caller.uuid);
  if (!login) throw notFound('login record');
  return c.json(toLoginDto(login), 200);
};
