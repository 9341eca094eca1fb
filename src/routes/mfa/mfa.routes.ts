import { createRoute, z } from '@hono/zod-openapi';
import { bearer, json, jsonBody, problems } from '../../http/openapi';
import { requireAuth } from '../../middleware/require-auth';
import { admin } from '../../policy/rules';
import { UserUuidParam } from '../../schemas/user';
import { PASSWORD_FIELD_MAX } from '../../lib/password-policy';

const tags = ['Second factor'];
const auth = { security: bearer, middleware: [requireAuth()] };

const Password = z.string().min(1).max(PASSWORD_FIELD_MAX);
const Code = z.string().min(1).max(64).openapi({ description: 'A current 6-digit TOTP code', example: '123456' });

export const EnrolmentSchema = z
  .object({
    secret: z.string().openapi({ description: 'The base32 seed, for typing into an authenticator app' }),
    otpauth_uri: z.string().openapi({ description: 'The otpauth://totp/ URI (a QR code of it is what apps scan)' }),
  })
  .strict()
  .openapi('TotpEnrolment');

export const RecoveryCodesSchema = z
  .object({ recovery_codes: z.array(z.string()).openapi({ description: 'Ten single-use codes, shown this once' }) })
  .strict()
  .openapi('RecoveryCodes');

export const enrolTotp = createRoute({
  method: 'post',
  path: '/user/me/mfa/totp',
  tags,
  ...auth,
  summary: 'Start a TOTP enrolment (replaces a pending one); needs the current password',
  request: { body: jsonBody(z.strictObject({ current_password: Password }).openapi('TotpEnrolmentRequest')) },
  responses: { 200: json(EnrolmentSchema, 'The pending seed'), ...problems(400, 401, 409, 413, 415, 422, 429, 503) },
});

export const activateTotp = createRoute({
  method: 'post',
  path: '/user/me/mfa/totp/activate',
  tags,
  ...auth,
  summary: 'Turn the pending TOTP factor on with a current code of it; returns ten recovery codes',
  request: { body: jsonBody(z.strictObject({ code: Code }).openapi('TotpActivation')) },
  responses: { 200: json(RecoveryCodesSchema, 'The second factor is on'), ...problems(400, 401, 409, 413, 415, 422, 503) },
});

export const disableTotp = createRoute({
  method: 'delete',
  path: '/user/me/mfa/totp',
  tags,
  ...auth,
  summary: 'Turn the second factor off; needs the current password and a TOTP or recovery code',
  request: {
    body: jsonBody(
      z
        .strictObject({ current_password: Password, code: Code.openapi({ description: 'A current TOTP code or an unused recovery code' }) })
        .openapi('TotpDisable'),
    ),
  },
  responses: { 204: { description: 'The second factor is off' }, ...problems(400, 401, 409, 413, 415, 422, 429, 503) },
});

export const regenerateRecoveryCodes = createRoute({
  method: 'post',
  path: '/user/me/mfa/recovery-codes',
  tags,
  ...auth,
  summary: 'Ten new recovery codes for a current TOTP code; the old ones stop working',
  request: { body: jsonBody(z.strictObject({ code: Code }).openapi('RecoveryCodesRequest')) },
  responses: { 200: json(RecoveryCodesSchema, 'The new codes'), ...problems(400, 401, 409, 413, 415, 422, 503) },
});

export const resetUserMfa = createRoute({
  method: 'delete',
  path: '/user/{uuid}/mfa',
  tags,
  security: bearer,
  middleware: [requireAuth(admin)] as const,
  summary: "Remove a user's second factor and revoke their sessions (admin)",
  request: { params: UserUuidParam },
  responses: { 204: { description: 'Removed' }, ...problems(400, 401, 403, 404, 413) },
});
