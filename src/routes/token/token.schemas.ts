import { z } from '@hono/zod-openapi';

export const PasswordGrantSchema = z
  .object({
    grant_type: z.literal('password'),
    username: z.string().min(1).max(254).openapi({ description: 'Username or email, in any case' }),
    password: z.string().min(1).max(1024),
    scope: z.string().max(200).optional().openapi({ description: 'Accepted and ignored' }),
    client_id: z.string().max(200).optional().openapi({ description: 'Accepted and ignored (public first-party clients)' }),
  })
  .strict();

export const RefreshGrantSchema = z
  .object({
    grant_type: z.literal('refresh_token'),
    refresh_token: z.string().min(1).max(200),
    scope: z.string().max(200).optional(),
    client_id: z.string().max(200).optional(),
  })
  .strict();

export const TokenRequestSchema = z.discriminatedUnion('grant_type', [PasswordGrantSchema, RefreshGrantSchema]).openapi('TokenRequest');

export const TokenResponseSchema = z
  .object({
    access_token: z.string(),
    token_type: z.literal('bearer'),
    expires_in: z.number().int(),
    refresh_token: z.string(),
  })
  .strict()
  .openapi('TokenResponse');

export const OAuthErrorSchema = z
  .object({
    error: z.enum(['invalid_request', 'invalid_grant', 'unsupported_grant_type', 'invalid_client', 'server_error', 'temporarily_unavailable']),
    error_description: z.string(),
  })
  .strict()
  .openapi('OAuthError');

export const RevokeRequestSchema = z
  .object({
    token: z.string().min(1).max(4096),
    token_type_hint: z.enum(['refresh_token', 'access_token']).optional(),
    client_id: z.string().max(200).optional(),
  })
  .strict()
  .openapi('RevokeRequest');
