import { z } from '@hono/zod-openapi';
import { Email } from '../../lib/text';
import { PASSWORD_FIELD_MAX } from '../../lib/password-policy';

/** A link's token: the service's own are 43 base64url characters; anything else is the one 400. */
const Token = z
  .string()
  .min(1)
  .max(256)
  .openapi({ description: 'The token of the link in the message', example: 'dGhlIHRva2VuIG9mIHRoZSBsaW5rIGluIHRoZSBtZXNzYWdl' });
// The password's own rules are the policy's (the reason reaches the 422); this only caps the size.
const Password = z.string().min(1).max(PASSWORD_FIELD_MAX);

export const ForgotPasswordSchema = z.strictObject({ email: Email }).openapi('ForgotPassword');
export const ResetPasswordSchema = z
  .strictObject({ token: Token, new_password: Password.openapi({ example: 'a long passphrase nobody else uses' }) })
  .openapi('ResetPassword');
export const EmailChangeSchema = z.strictObject({ email: Email, current_password: Password }).openapi('EmailChange');
export const VerifyEmailSchema = z.strictObject({ token: Token }).openapi('VerifyEmail');

/** The body of every `202`: the same for every request of a route, whatever happened. */
export const AcceptedSchema = z
  .object({ status: z.literal('accepted'), detail: z.string() })
  .strict()
  .openapi('Accepted', { example: { status: 'accepted', detail: 'If the address belongs to an account, a message is on its way' } });
