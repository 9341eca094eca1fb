import { createRoute } from '@hono/zod-openapi';
import { ClientTokenResponseSchema, MfaRequiredSchema, OAuthErrorSchema, RevokeRequestSchema, TokenRequestSchema, TokenResponseSchema } from './token.schemas';

const oauthError = (description: string) => ({ content: { 'application/json': { schema: OAuthErrorSchema } }, description });

/**
 * Documented here, handled by hand in token.handlers.ts: the token endpoint answers RFC 6749
 * error bodies, which the generic validators (problem+json) would not produce.
 */
export const token = createRoute({
  method: 'post',
  // Relative to the router's mount point, /token.
  path: '/',
  tags: ['Auth'],
  summary: 'OAuth2 token endpoint: password, refresh_token and the second-factor grants',
  description:
    'RFC 6749. The password grant is kept for first-party clients (and Swagger UI) although RFC 9700 §2.4 retires it for third parties. Refresh tokens rotate on every use; a reused one revokes its session. A user with a second factor gets 403 mfa_required with an mfa_token from the password grant, then the tokens from http://auth0.com/oauth/grant-type/mfa-otp (otp) or http://auth0.com/oauth/grant-type/mfa-recovery-code (recovery_code), with amr ["pwd","otp"]. client_credentials (RFC 6749 §4.4, HTTP Basic with the client id and its API key) gives a client an access token for itself, without a refresh token, that lists and reads its organization\'s members.',
  request: {
    body: {
      required: true,
      content: {
        'application/x-www-form-urlencoded': { schema: TokenRequestSchema },
        'application/json': { schema: TokenRequestSchema },
      },
    },
  },
  responses: {
    200: {
      content: { 'application/json': { schema: TokenResponseSchema.or(ClientTokenResponseSchema) } },
      description: 'Tokens (no refresh token for client_credentials)',
    },
    400: oauthError('invalid_request, invalid_grant or unsupported_grant_type'),
    401: oauthError('invalid_client: the client_credentials grant without a valid client id and API key (HTTP Basic); WWW-Authenticate: Basic'),
    403: {
      content: { 'application/json': { schema: MfaRequiredSchema } },
      description: 'mfa_required: the password was right; finish with a second-factor grant',
    },
    413: oauthError('The body is too large'),
    503: oauthError('temporarily_unavailable: the service is misconfigured (no signing key)'),
    429: oauthError('Too many attempts for this name or from this client; see Retry-After'),
  },
});

export const revoke = createRoute({
  method: 'post',
  path: '/revoke',
  tags: ['Auth'],
  summary: 'Revoke a refresh token (RFC 7009): logout',
  request: {
    body: {
      required: true,
      content: {
        'application/x-www-form-urlencoded': { schema: RevokeRequestSchema },
        'application/json': { schema: RevokeRequestSchema },
      },
    },
  },
  responses: {
    200: { description: 'Revoked, or the token was not valid (RFC 7009 §2.2)' },
    400: oauthError('invalid_request'),
    413: oauthError('The body is too large'),
  },
});
