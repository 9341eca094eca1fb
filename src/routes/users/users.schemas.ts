import { z } from '@hono/zod-openapi';
import { ROLES } from '../../db/schema';
import { Email, Mobile, plainText, Username } from '../../lib/text';
import { page, PageQuery } from '../../lib/pagination';

export const RoleSchema = z.enum(ROLES).openapi({ example: 'normal' });

export const UserSchema = z
  .object({
    uuid: z.uuid(),
    username: z.string(),
    email: z.string(),
    name: z.string(),
    surname: z.string(),
    role: RoleSchema,
    city: z.string().nullable(),
    organization: z.string().nullable(),
    designation: z.string().nullable(),
    mobile: z.string().nullable(),
    disabled: z.boolean(),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
    last_login_at: z.iso.datetime().nullable(),
  })
  .strict()
  .openapi('User');

const profile = {
  city: plainText(100).optional(),
  organization: plainText(100).optional(),
  designation: plainText(100).optional(),
  mobile: Mobile.optional(),
};

// The password's own rules (length in code points, common passwords, identifiers) are
// checked by the password policy, so the reason reaches the 422; this only caps the size.
const Password = z.string().min(1).max(1024).openapi({ example: 'a long passphrase nobody else uses' });

export const SignUpSchema = z
  .strictObject({
    username: Username,
    email: Email,
    password: Password,
    confirm_password: z.string().max(1024).optional(),
    name: plainText(64),
    surname: plainText(64),
    ...profile,
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

export const UserUuidParam = z.object({
  uuid: z.uuid().openapi({ param: { name: 'uuid', in: 'path' }, example: '019a8f3e-6b1c-7d2e-9f10-5a6b7c8d9e0f' }),
});

export const UserListQuery = PageQuery.extend({ role: RoleSchema.optional() });

export const UserPageSchema = page(UserSchema, 'UserPage');
