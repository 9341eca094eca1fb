import { z } from '@hono/zod-openapi';
import { Email, plainText } from '../../lib/text';
import { OrgIdParam } from '../../schemas/organization';
import { OrgRoleSchema, UserUuidParam } from '../../schemas/user';

export const OrganizationInputSchema = z.strictObject({ name: plainText(100) }).openapi('OrganizationInput');
export const MembershipSchema = z.strictObject({ role: OrgRoleSchema }).openapi('Membership');
export const OrgMemberParams = OrgIdParam.extend(UserUuidParam.shape);

export const InvitationInputSchema = z.strictObject({ email: Email, role: OrgRoleSchema }).openapi('InvitationInput');
/** What the inviter sees of an invitation: never its token (that goes only to the address). */
export const InvitationSchema = z
  .object({ organization_id: z.string(), email: z.string(), role: OrgRoleSchema, expires_at: z.string().openapi({ format: 'date-time' }) })
  .openapi('Invitation');
export const AcceptInvitationSchema = z
  .strictObject({ token: z.string().min(1).max(256).openapi({ description: 'The invitation code of the message' }) })
  .openapi('AcceptInvitation');
export const toInvitationDto = (i: { organizationId: string; email: string; role: 'member' | 'admin'; expiresAt: number }) => ({
  organization_id: i.organizationId,
  email: i.email,
  role: i.role,
  expires_at: new Date(i.expiresAt).toISOString(),
});
