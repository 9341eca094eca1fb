import { z } from '@hono/zod-openapi';
import { plainText } from '../../lib/text';
import { OrgIdParam } from '../../schemas/organization';
import { OrgRoleSchema, UserUuidParam } from '../../schemas/user';

export const OrganizationInputSchema = z.strictObject({ name: plainText(100) }).openapi('OrganizationInput');
export const MembershipSchema = z.strictObject({ role: OrgRoleSchema }).openapi('Membership');
export const OrgMemberParams = OrgIdParam.extend(UserUuidParam.shape);
