import type { AppRouteHandler } from '../../lib/openapi';
import { decodeCursor } from '../../lib/pagination';
import { notFound } from '../../lib/problem';
import { maySee, visibleUser } from '../../services/access';
import { authorize } from '../../services/caller';
import { loginQuery, loginsPage, loginsPageQuery, toLoginDto } from '../../services/logins';
import { findUserQuery } from '../../services/users';
import type * as routes from './logins.routes';

// Each handler batches its reads with the caller check (one D1 round trip) and decides
// visibility once the caller is known; rows fetched for a refused caller are dropped.

export const listMyLoginsHandler: AppRouteHandler<typeof routes.listMyLogins> = async (c) => {
  const q = c.req.valid('query');
  const [rows] = await authorize(c, loginsPageQuery(c.get('db'), { userUuid: c.var.claims.sub, limit: q.limit, after: decodeCursor(q.cursor) }));
  return c.json(loginsPage(rows, q.limit), 200);
};

export const listUserLoginsHandler: AppRouteHandler<typeof routes.listUserLogins> = async (c) => {
  const q = c.req.valid('query');
  const { uuid } = c.req.valid('param');
  const db = c.get('db');
  const [found, rows] = await authorize(c, findUserQuery(db, uuid), loginsPageQuery(db, { userUuid: uuid, limit: q.limit, after: decodeCursor(q.cursor) }));
  visibleUser(c.var.auth.user, uuid, found);
  return c.json(loginsPage(rows, q.limit), 200);
};

export const listAllLoginsHandler: AppRouteHandler<typeof routes.listAllLogins> = async (c) => {
  const q = c.req.valid('query');
  const [rows] = await authorize(c, loginsPageQuery(c.get('db'), { limit: q.limit, after: decodeCursor(q.cursor) }));
  return c.json(loginsPage(rows, q.limit), 200);
};

/** `/user/me/logins/{id}`: the caller's own record only. */
export const getMyLoginHandler: AppRouteHandler<typeof routes.getMyLogin> = async (c) => {
  const [[login]] = await authorize(c, loginQuery(c.get('db'), c.req.valid('param').id));
  if (!login || login.userUuid !== c.var.auth.user.uuid) throw notFound('login record');
  return c.json(toLoginDto(login), 200);
};

export const getUserLoginHandler: AppRouteHandler<typeof routes.getUserLogin> = async (c) => {
  const { uuid, id } = c.req.valid('param');
  const [[login]] = await authorize(c, loginQuery(c.get('db'), id));
  if (!maySee(c.var.auth.user, uuid) || !login || login.userUuid !== uuid) throw notFound('login record');
  return c.json(toLoginDto(login), 200);
};

/** Owner or admin; someone else's record is the same 404 as a missing one. */
export const getLoginHandler: AppRouteHandler<typeof routes.getLogin> = async (c) => {
  const [[login]] = await authorize(c, loginQuery(c.get('db'), c.req.valid('param').id));
  if (!login || !maySee(c.var.auth.user, login.userUuid)) throw notFound('login record');
  return c.json(toLoginDto(login), 200);
};
