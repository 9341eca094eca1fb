import { createRoute, z } from '@hono/zod-openapi';
import { bearer, json, problems } from '../../http/openapi';
import { requireAuth } from '../../middleware/require-auth';
import { RoleSchema } from '../../schemas/user';

const tags = ['Service'];

export const ServiceInfoSchema = z
  .object({ name: z.string(), version: z.string(), docs: z.string(), redocs: z.string(), openapi: z.string() })
  .openapi('ServiceInfo');

export const HealthSchema = z
  .object({
    status: z.enum(['ok', 'degraded']),
    checks: z.object({ d1: z.enum(['ok', 'fail']), kv: z.enum(['ok', 'fail']), r2: z.enum(['ok', 'fail']) }).optional(),
  })
  .openapi('Health');

export const JwksSchema = z
  .object({
    keys: z.array(
      z.object({
        kty: z.literal('EC'),
        crv: z.literal('P-256'),
        x: z.string(),
        y: z.string(),
        kid: z.string(),
        alg: z.literal('ES256'),
        use: z.literal('sig'),
      }),
    ),
  })
  .openapi('Jwks');

export const RolesSchema = z.array(z.object({ name: RoleSchema, description: z.string() })).openapi('Roles');

export const root = createRoute({
  method: 'get',
  path: '/',
  tags,
  summary: 'Service name, version and links',
  responses: { 200: json(ServiceInfoSchema, 'About this service') },
});

export const health = createRoute({
  method: 'get',
  path: '/health',
  tags,
  summary: 'Liveness; ?deep=1 also checks D1, KV and R2',
  request: { query: z.object({ deep: z.enum(['0', '1']).optional() }) },
  responses: { 200: json(HealthSchema, 'Healthy'), 503: json(HealthSchema, 'A storage check failed'), ...problems(422, 429) },
});

export const jwks = createRoute({
  method: 'get',
  path: '/.well-known/jwks.json',
  tags,
  summary: 'Public keys that verify access tokens (current and previous)',
  responses: { 200: json(JwksSchema, 'JSON Web Key Set') },
});

export const AuthorizationServerSchema = z
  .object({
    issuer: z.string(),
    token_endpoint: z.string(),
    revocation_endpoint: z.string(),
    jwks_uri: z.string(),
    grant_types_supported: z.array(z.string()),
    response_types_supported: z.array(z.string()),
    token_endpoint_auth_methods_supported: z.array(z.string()),
    revocation_endpoint_auth_methods_supported: z.array(z.string()),
    scopes_supported: z.array(z.string()),
    service_documentation: z.string(),
  })
  .openapi('AuthorizationServerMetadata');

export const authorizationServer = createRoute({
  method: 'get',
  path: '/.well-known/oauth-authorization-server',
  tags,
  summary: 'RFC 8414 authorization server metadata, so standard OAuth clients configure themselves',
  responses: { 200: json(AuthorizationServerSchema, 'Authorization server metadata') },
});

export const roles = createRoute({
  method: 'get',
  path: '/roles',
  tags,
  summary: 'The roles and what they may do',
  security: bearer,
  middleware: [requireAuth()] as const,
  responses: { 200: json(RolesSchema, 'Roles'), ...problems(401) },
});
