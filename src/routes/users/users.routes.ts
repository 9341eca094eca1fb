import { createRoute, z } from '@hono/zod-openapi';
import { bearer, json, jsonBody, problems } from '../../lib/openapi';
import { requireAuth } from '../../middleware/require-auth';
import { formAsJson } from '../../middleware/form-as-json';
import { SignUpSchema, UserListQuery, UserPageSchema, UserPatchSchema, UserSchema, UserUuidParam } from './users.schemas';

const tags = ['Users'];

export const signUp = createRoute({
  method: 'post',
  path: '/user',
  tags,
  summary: 'Sign up',
  middleware: [formAsJson()] as const,
  // formAsJson() turns a urlencoded form into JSON before validation; mountDocs() documents
  // that media type for the routes listed in FORM_ALSO.
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
  middleware: [requireAuth('admin')] as const,
  request: { query: UserListQuery },
  responses: { 200: json(UserPageSchema, 'A page of users'), ...problems(401, 403, 422) },
});

export const getMe = createRoute({
  method: 'get',
  path: '/user/me',
  tags,
  summary: 'The caller',
  security: bearer,
  middleware: [requireAuth()] as const,
  responses: { 200: json(UserSchema, 'The caller'), ...problems(401) },
});

export const patchMe = createRoute({
  method: 'patch',
  path: '/user/me',
  tags,
  summary: 'Change the caller',
  security: bearer,
  middleware: [requireAuth()] as const,
  request: { body: jsonBody(UserPatchSchema) },
  responses: { 200: json(UserSchema, 'The updated caller'), ...problems(400, 401, 403, 409, 413, 415, 422) },
});

export const deleteMe = createRoute({
  method: 'delete',
  path: '/user/me',
  tags,
  summary: 'Erase the caller and everything about them',
  security: bearer,
  middleware: [requireAuth()] as const,
  responses: { 204: { description: 'Erased' }, ...problems(400, 401, 413) },
});

export const getUser = createRoute({
  method: 'get',
  path: '/user/{uuid}',
  tags,
  summary: 'One user (self or admin)',
  security: bearer,
  middleware: [requireAuth()] as const,
  request: { params: UserUuidParam },
  responses: { 200: json(UserSchema, 'The user'), ...problems(401, 404) },
});

export const patchUser = createRoute({
  method: 'patch',
  path: '/user/{uuid}',
  tags,
  summary: 'Change a user (self; admin may also change role and disabled)',
  security: bearer,
  middleware: [requireAuth()] as const,
  request: { params: UserUuidParam, body: jsonBody(UserPatchSchema) },
  responses: { 200: json(UserSchema, 'The updated user'), ...problems(400, 401, 403, 404, 409, 413, 415, 422) },
});

export const deleteUser = createRoute({
  method: 'delete',
  path: '/user/{uuid}',
  tags,
  summary: 'Erase a user (self only)',
  security: bearer,
  middleware: [requireAuth()] as const,
  request: { params: UserUuidParam },
  responses: { 204: { description: 'Erased' }, ...problems(400, 401, 403, 404, 413) },
});

export const PasswordChangeSchema = z
  .strictObject({ current_password: z.string().min(1).max(1024), new_password: z.string().min(1).max(1024) })
  .openapi('PasswordChange');

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
