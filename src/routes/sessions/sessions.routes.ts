import { createRoute, z } from '@hono/zod-openapi';
import { bearer, json, problems } from '../../http/openapi';
import { PageQuery } from '../../lib/pagination';
import { requireAuth } from '../../middleware/require-auth';
import { SessionPageSchema } from '../../schemas/session';
import { UserUuidParam } from '../../schemas/user';

const tags = ['Sessions'];
const auth = { security: bearer, middleware: [requireAuth()] };

export const listMySessions = createRoute({
  method: 'get',
  path: '/user/me/sessions',
  tags,
  ...auth,
  summary: "The caller's live sessions (one per refresh-token family), newest first",
  request: { query: PageQuery },
  responses: { 200: json(SessionPageSchema, 'A page of sessions'), ...problems(401, 422) },
});

export const deleteMySession = createRoute({
  method: 'delete',
  path: '/user/me/sessions/{id}',
  tags,
  ...auth,
  summary: "Revoke one of the caller's sessions",
  request: { params: z.object({ id: z.uuid().openapi({ param: { name: 'id', in: 'path' } }) }) },
  responses: { 204: { description: 'Revoked' }, ...problems(400, 401, 404, 413) },
});

export const deleteUserSessions = createRoute({
  method: 'delete',
  path: '/user/{uuid}/sessions',
  tags,
  ...auth,
  summary: 'Revoke every session of a user: log out everywhere (self) or force a logout (admin)',
  request: { params: UserUuidParam },
  responses: { 204: { description: 'All sessions revoked' }, ...problems(400, 401, 404, 413) },
});
