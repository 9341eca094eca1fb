import { createRoute, z } from '@hono/zod-openapi';
import { bearer, json, problems } from '../../lib/openapi';
import { page, PageQuery } from '../../lib/pagination';
import { requireAuth } from '../../middleware/require-auth';
import { UserUuidParam } from '../users/users.schemas';

const tags = ['Logins'];

export const LoginRecordSchema = z
  .object({
    uuid: z.uuid(),
    user_uuid: z.uuid(),
    login_time: z.iso.datetime(),
    ip: z.string().nullable(),
    user_agent: z.string().nullable(),
    country: z.string().nullable(),
  })
  .strict()
  .openapi('LoginRecord');

export const LoginPageSchema = page(LoginRecordSchema, 'LoginRecordPage');
const LoginIdParam = z.object({ id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }) });
const auth = { security: bearer, middleware: [requireAuth()] };

export const listMyLogins = createRoute({
  method: 'get', path: '/user/me/logins', tags, ...auth,
  summary: "The caller's login records, newest first",
  request: { query: PageQuery },
  responses: { 200: json(LoginPageSchema, 'A page of login records'), ...problems(401, 422) },
});

export const getMyLogin = createRoute({
  method: 'get', path: '/user/me/logins/{id}', tags, ...auth,
  summary: 'One of the caller\'s login records',
  request: { params: LoginIdParam },
  responses: { 200: json(LoginRecordSchema, 'The login record'), ...problems(401, 404) },
});

export const listUserLogins = createRoute({
  method: 'get', path: '/user/{uuid}/logins', tags, ...auth,
  summary: "A user's login records (self or admin)",
  request: { params: UserUuidParam, query: PageQuery },
  responses: { 200: json(LoginPageSchema, 'A page of login records'), ...problems(401, 404, 422) },
});

export const getUserLogin = createRoute({
  method: 'get', path: '/user/{uuid}/logins/{id}', tags, ...auth,
  summary: "One of a user's login records (self or admin)",
  request: { params: UserUuidParam.extend(LoginIdParam.shape) },
  responses: { 200: json(LoginRecordSchema, 'The login record'), ...problems(401, 404) },
});

export const listAllLogins = createRoute({
  method: 'get', path: '/logins', tags, security: bearer,
  middleware: [requireAuth('admin')] as const,
  summary: 'Every login record, newest first (admin)',
  request: { query: PageQuery },
  responses: { 200: json(LoginPageSchema, 'A page of login records'), ...problems(401, 403, 422) },
});

export const getLogin = createRoute({
  method: 'get', path: '/logins/{id}', tags, ...auth,
  summary: 'One login record (owner or admin)',
  request: { params: LoginIdParam },
  responses: { 200: json(LoginRecordSchema, 'The login record'), ...problems(401, 404) },
});
