import { createRoute } from '@hono/zod-openapi';
import { bearer, json, jsonBody, meAndUser, problems } from '../../http/openapi';
import { formAsJson } from '../../middleware/form-as-json';
import { requireAuth } from '../../middleware/require-auth';
import { admin } from '../../policy/rules';
import { UserPageSchema, UserSchema, UserUuidParam } from '../../schemas/user';
import { PasswordChangeSchema, SignUpSchema, UserListQuery, UserPatchSchema } from './users.schemas';

const tags = ['Users'];

export const signUp = createRoute({
  method: 'post',
  path: '/user',
  tags,
  summary: 'Sign up',
  middleware: [formAsJson()] as const,
  // formAsJson() turns a urlencoded form into JSON before validation; the docs router
  // documents that media type for the routes listed in FORM_ALSO.
  request: { body: jsonBody(SignUpSchema) },
  responses: { 201: json(UserSchema, 'The new user'), ...problems(400, 409, 413, 415, 422, 429) },
});

/** `METHOD path` of routes that also take application/x-www-form-urlencoded. */
export const FORM_ALSO = ['post /user'];

export const listUsers = createRoute({
  method: 'get',
  path: '/user',
  tags,
  summary: 'All users, newest first (admin)',
  security: bearer,
  middleware: [requireAuth(admin)] as const,
  request: { query: UserListQuery },
  responses: { 200: json(UserPageSchema, 'A page of users'), ...problems(401, 403, 422) },
});

export const { me: getMe, user: getUser } = meAndUser('', UserUuidParam, {
  method: 'get',
  tags,
  summary: "One user: the caller (me), anyone for an admin, the members of an organization for its admins and its clients' tokens",
  security: bearer,
  middleware: [requireAuth(undefined, { clients: true })] as const,
  responses: { 200: json(UserSchema, 'The user'), ...problems(401, 404) },
});

export const { me: patchMe, user: patchUser } = meAndUser('', UserUuidParam, {
  method: 'patch',
  tags,
  summary: 'Change a user (self; an admin may also change role and disabled)',
  security: bearer,
  middleware: [requireAuth()] as const,
  request: { body: jsonBody(UserPatchSchema) },
  responses: { 200: json(UserSchema, 'The updated user'), ...problems(400, 401, 403, 404, 409, 413, 415, 422) },
});

export const { me: deleteMe, user: deleteUser } = meAndUser('', UserUuidParam, {
  method: 'delete',
  tags,
  summary: 'Erase a user and everything about them (self only)',
  security: bearer,
  middleware: [requireAuth()] as const,
  responses: { 204: { description: 'Erased' }, ...problems(400, 401, 403, 404, 413) },
});

export const changePassword = createRoute({
  method: 'put',
  path: '/user/me/password',
  tags,
  summary: "Change the caller's password; revokes every other session",
  security: bearer,
  middleware: [requireAuth()] as const,
  request: { body: jsonBody(PasswordChangeSchema) },
  responses: { 204: { description: 'Changed' }, ...problems(400, 401, 403, 413, 415, 422, 429) },
});
