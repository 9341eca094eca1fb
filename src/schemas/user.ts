import { z } from '@hono/zod-openapi';
import { ORG_ROLES, ROLES, type User } from '../db/schema';
import { iso, isoOrNull } from '../lib/clock';
import { page } from '../lib/pagination';

export const OrgRoleSchema = z.enum(ORG_ROLES).openapi({ example: 'member' });

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
    mfa_enabled: z.boolean().openapi({ description: 'Whether the user has an active second factor (TOTP)' }),
    email_verified: z.boolean().openapi({ description: 'Whether the current email address was confirmed by a link sent to it' }),
    organization_id: z
      .uuid()
      .nullable()
      .openapi({ description: 'The organization the user is a member of (at most one); unlike the free-text `organization`' }),
    org_role: z.enum(ORG_ROLES).nullable().openapi({ description: 'The role in that organization' }),
  })
  .strict()
  .openapi('User');

export const UserPageSchema = page(UserSchema, 'UserPage');

export const UserUuidParam = z.object({
  uuid: z.uuid().openapi({ param: { name: 'uuid', in: 'path' }, example: '019a8f3e-6b1c-7d2e-9f10-5a6b7c8d9e0f' }),
});

/** The public shape of a user: a hand-written DTO, so no hash or stamp can ever leak through it. */
export function toUserDto(u: User): z.infer<typeof UserSchema> {
  return {
    uuid: u.uuid,
    username: u.username,
    email: u.email,
    name: u.name,
    surname: u.surname,
    role: u.role,
    city: u.city,
    organization: u.organization,
    designation: u.designation,
    mobile: u.mobile,
    disabled: u.disabled,
    created_at: iso(u.createdAt),
    updated_at: iso(u.updatedAt),
    last_login_at: isoOrNull(u.lastLoginAt),
    mfa_enabled: u.mfaEnabled,
    email_verified: u.emailVerified,
    organization_id: u.organizationId,
    org_role: u.orgRole,
  };
}
