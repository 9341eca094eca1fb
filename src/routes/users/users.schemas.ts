import { z } from '@hono/zod-openapi';
import { PageQuery } from '../../lib/pagination';
import { Email, Mobile, plainText, Username } from '../../lib/text';
import { RoleSchema } from '../../schemas/user';
import { TURNSTILE_FIELD } from '../../lib/turnstile';
import { PASSWORD_FIELD_MAX } from '../../lib/password-policy';

const profile = {
  city: plainText(100).optional(),
  organization: plainText(100).optional(),
  designation: plainText(100).optional(),
  mobile: Mobile.optional(),
};

// The password's own rules (length in code points, common passwords, identifiers) are
// checked by the password policy, so the reason reaches the 422; this only caps the size.
const Password = z.string().min(1).max(PASSWORD_FIELD_MAX).openapi({ example: 'a long passphrase nobody else uses' });

export const SignUpSchema = z
  .strictObject({
    username: Username,
    email: Email,
    password: Password,
    confirm_password: z.string().max(PASSWORD_FIELD_MAX).optional(),
    name: plainText(64),
    surname: plainText(64),
    ...profile,
    [TURNSTILE_FIELD]: z
      .string()
      .max(2048)
      .optional()
      .openapi({ description: 'The Turnstile token, required when the service has Turnstile configured (TURNSTILE_SITE_KEY)' }),
  })
  .refine((b) => b.confirm_password === undefined || b.confirm_password === b.password, {
    path: ['confirm_password'],
    message: 'must equal password',
  })
  .openapi('SignUp');

/** Self may change these; `role` and `disabled` are for admins. email, name, surname, uuid never. */
export const UserPatchSchema = z
  .strictObject({
    username: Username.optional(),
    city: plainText(100).nullable().optional(),
    organization: plainText(100).nullable().optional(),
    designation: plainText(100).nullable().optional(),
    mobile: Mobile.nullable().optional(),
    role: RoleSchema.optional(),
    disabled: z.boolean().optional(),
  })
  .openapi('UserPatch');

export const PasswordChangeSchema = z
  .strictObject({ current_password: z.string().min(1).max(PASSWORD_FIELD_MAX), new_password: z.string().min(1).max(PASSWORD_FIELD_MAX) })
  .openapi('PasswordChange');

export const UserListQuery = PageQuery.extend({ role: RoleSchema.optional() });
