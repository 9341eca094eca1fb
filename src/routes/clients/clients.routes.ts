import { createRoute, z } from '@hono/zod-openapi';
import { bearer, json, jsonBody, problems } from '../../http/openapi';
import { PageQuery, page } from '../../lib/pagination';
import { plainText } from '../../lib/text';
import { requireAuth } from '../../middleware/require-auth';
import { OrgIdParam } from '../../schemas/organization';

const tags = ['Clients'];

export const ClientSchema = z
  .object({
    client_id: z.uuid(),
    name: z.string(),
    key_prefix: z.string().openapi({ description: 'The first characters of the key, to tell keys apart; never the key' }),
    created_at: z.iso.datetime(),
    last_used_at: z.iso.datetime().nullable().openapi({ description: 'Moves at most once a minute' }),
  })
  .strict()
  .openapi('Client');

export const NewClientSchema = z
  .object({
    client_id: z.uuid(),
    name: z.string(),
    api_key: z.string().openapi({ description: 'Shown once, here: only its hash is kept' }),
    created_at: z.iso.datetime(),
  })
  .strict()
  .openapi('NewClient');

const ClientInputSchema = z.strictObject({ name: plainText(100) }).openapi('ClientInput');
const ClientParams = OrgIdParam.extend({ client_id: z.uuid().openapi({ param: { name: 'client_id', in: 'path' } }) });

export const createClient = createRoute({
  method: 'post',
  path: '/organizations/{id}/clients',
  tags,
  summary: 'Register a third-party client and its API key, shown once (admin, or an admin of the organization)',
  security: bearer,
  middleware: [requireAuth()] as const,
  request: { params: OrgIdParam, body: jsonBody(ClientInputSchema) },
  responses: { 201: json(NewClientSchema, 'The client, with its key this once'), ...problems(400, 401, 403, 404, 413, 415, 422) },
});

export const listClients = createRoute({
  method: 'get',
  path: '/organizations/{id}/clients',
  tags,
  summary: "The organization's active clients, never their keys (admin, or an admin of the organization)",
  security: bearer,
  middleware: [requireAuth()] as const,
  request: { params: OrgIdParam, query: PageQuery },
  responses: { 200: json(page(ClientSchema, 'ClientPage'), 'A page of clients'), ...problems(401, 403, 404, 422) },
});

export const revokeClient = createRoute({
  method: 'delete',
  path: '/organizations/{id}/clients/{client_id}',
  tags,
  summary: 'Revoke a client’s key at once, and every session made through it',
  security: bearer,
  middleware: [requireAuth()] as const,
  request: { params: ClientParams },
  responses: { 204: { description: 'Revoked' }, ...problems(400, 401, 403, 404, 413) },
});
