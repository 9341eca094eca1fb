import { z } from '@hono/zod-openapi';
import type { OrganizationRow } from '../db/schema';
import { iso } from '../lib/clock';
import { page } from '../lib/pagination';

export const OrganizationSchema = z.object({ id: z.uuid(), name: z.string(), created_at: z.iso.datetime() }).strict().openapi('Organization');

export const OrganizationPageSchema = page(OrganizationSchema, 'OrganizationPage');

export const OrgIdParam = z.object({
  id: z.uuid().openapi({ param: { name: 'id', in: 'path' }, example: '019a8f3e-6b1c-7d2e-9f10-5a6b7c8d9e0f' }),
});

export const toOrganizationDto = (o: OrganizationRow): z.infer<typeof OrganizationSchema> => ({ id: o.id, name: o.name, created_at: iso(o.createdAt) });
