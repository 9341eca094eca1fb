import { createRoute, z } from '@hono/zod-openapi';
import { bearer, json, meAndUser, problems } from '../../http/openapi';
import { PageQuery } from '../../lib/pagination';
import { requireAuth } from '../../middleware/require-auth';
import { admin } from '../../policy/rules';
import { LoginPageSchema, LoginRecordSchema } from '../../schemas/login';
import { UserUuidParam } from '../../schemas/user';

const tags = ['Logins'];
const LoginIdParam = z.object({ id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }) });

export const { me: listMyLogins, user: listUserLogins } = meAndUser('/logins', UserUuidParam, {
  method: 'get',
  tags,
  summary: "A user's login records, newest first (the caller's, or anyone's for an admin)",
  security: bearer,
  middleware: [requireAuth()] as const,
  request: { query: PageQuery },
  responses: { 200: json(LoginPageSchema, 'A page of login records'), ...problems(401, 404, 422) },
});

export const { me: getMyLogin, user: getUserLogin } = meAndUser('/logins/{id}', UserUuidParam, {
  method: 'get',
  tags,
  summary: "One of a user's login records (the caller's, or anyone's for an admin)",
  security: bearer,
  middleware: [requireAuth()] as const,
  request: { params: LoginIdParam },
  responses: { 200: json(LoginRecordSchema, 'The login record'), ...problems(401, 404) },
});

export const listAllLogins = createRoute({
  method: 'get',
  path: '/logins',
  tags,
  security: bearer,
  middleware: [requireAuth(admin)] as const,
  summary: 'Every login record, newest first (admin)',
  request: { query: PageQuery },
  responses: { 200: json(LoginPageSchema, 'A page of login records'), ...problems(401, 403, 422) },
});

export const getLogin = createRoute({
  method: 'get',
  path: '/logins/{id}',
  tags,
  security: bearer,
  middleware: [requireAuth()] as const,
  summary: 'One login record (owner or admin)',
  request: { params: LoginIdParam },
  responses: { 200: json(LoginRecordSchema, 'The login record'), ...problems(401, 404) },
});
