import { z } from '@hono/zod-openapi';
import { PASSWORD_FIELD_MAX } from '../../lib/password-policy';

export const PasswordGrantSchema = z
  .object({
    grant_type: z.literal('password'),
    username: z.string().min(1).max(254).openapi({ description: 'Username or email, in any case' }),
    password: z.string().min(1).max(PASSWORD_FIELD_MAX),
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

/** The Auth0 grant types of the second step (Auth0's MFA API), which Auth0 client libraries already speak. */
export const MFA_OTP_GRANT = 'http://auth0.com/oauth/grant-type/mfa-otp';
export const MFA_RECOVERY_GRANT = 'http://auth0.com/oauth/grant-type/mfa-recovery-code';

const MfaToken = z.string().min(1).max(200).openapi({ description: 'The mfa_token of the 403 mfa_required answer to the password grant' });

export const MfaOtpGrantSchema = z
  .object({
    grant_type: z.literal(MFA_OTP_GRANT),
    mfa_token: MfaToken,
    otp: z.string().min(1).max(16).openapi({ description: 'The current 6-digit code of the authenticator app' }),
    client_id: z.string().max(200).optional(),
  })
  .strict();

export const MfaRecoveryGrantSchema = z
  .object({
    grant_type: z.literal(MFA_RECOVERY_GRANT),
    mfa_token: MfaToken,
    recovery_code: z.string().min(1).max(64).openapi({ description: 'One of the recovery codes shown at activation; each works once' }),
    client_id: z.string().max(200).optional(),
  })
  .strict();

/** RFC 6749 §4.4: the client authenticates with HTTP Basic (its client_id and API key), never in the body. */
export const ClientCredentialsGrantSchema = z
  .object({
    grant_type: z.literal('client_credentials'),
    scope: z.string().max(200).optional().openapi({ description: 'Accepted and ignored' }),
  })
  .strict();

export const TokenRequestSchema = z
  .discriminatedUnion('grant_type', [PasswordGrantSchema, RefreshGrantSchema, MfaOtpGrantSchema, MfaRecoveryGrantSchema, ClientCredentialsGrantSchema])
  .openapi('TokenRequest');

export const MfaRequiredSchema = z
  .object({
    error: z.literal('mfa_required'),
    error_description: z.string(),
    mfa_token: z.string().openapi({ description: 'Send it with the mfa-otp or mfa-recovery-code grant within 5 minutes; single use' }),
  })
  .strict()
  .openapi('MfaRequired');

export const TokenResponseSchema = z
  .object({
    access_token: z.string(),
    token_type: z.literal('bearer'),
    expires_in: z.number().int(),
    refresh_token: z.string(),
  })
  .strict()
  .openapi('TokenResponse');

/** The client_credentials answer: no refresh token (RFC 6749 §4.4.3). */
export const ClientTokenResponseSchema = z
  .object({ access_token: z.string(), token_type: z.literal('bearer'), expires_in: z.number().int() })
  .strict()
  .openapi('ClientTokenResponse');

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
