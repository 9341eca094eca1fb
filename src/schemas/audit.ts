import { z } from '@hono/zod-openapi';
import { AUDIT_EVENTS, type AuditEventRow } from '../db/schema';
import { iso } from '../lib/clock';
import { page, PageQuery } from '../lib/pagination';

export const AuditEventNameSchema = z.enum(AUDIT_EVENTS).openapi({ example: 'login.failed' });

export const AuditEventSchema = z
  .object({
    id: z.uuid(),
    at: z.iso.datetime(),
    event: AuditEventNameSchema,
    actor_uuid: z.uuid().nullable(),
    subject_uuid: z.uuid().nullable(),
    ip: z.string().nullable(),
    user_agent: z.string().nullable(),
    country: z.string().nullable(),
    client_id: z.string().nullable(),
    detail: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))
      .nullable()
      .openapi({ description: 'Non-secret context: old and new role, why a login failed, which session' }),
  })
  .strict()
  .openapi('AuditEvent');

export const AuditPageSchema = page(AuditEventSchema, 'AuditEventPage');

const Time = z.iso.datetime({ offset: true }).openapi({ example: '2026-12-01T00:00:00Z' });

/** My own events: newest first, optionally by kind and time. */
export const SecurityEventsQuery = PageQuery.extend({ event: AuditEventNameSchema.optional(), since: Time.optional(), until: Time.optional() });
/** An event as the API and the export queue show it. */
export type AuditEventBody = z.infer<typeof AuditEventSchema>;

/** Every event (admin): also by the user they are about. */
export const AuditQuery = SecurityEventsQuery.extend({ user: z.uuid().optional().openapi({ description: 'Events about this user (subject)' }) });

export function toAuditEventDto(e: AuditEventRow): z.infer<typeof AuditEventSchema> {
  let detail: Record<string, string | number | boolean | null> | null = null;
  try {
    const value: unknown = e.detail ? JSON.parse(e.detail) : null;
    detail = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, string | number | boolean | null>) : null;
  } catch {
    detail = null;
  }
  return {
    id: e.id,
    at: iso(e.at),
    event: e.event as z.infer<typeof AuditEventNameSchema>,
    actor_uuid: e.actorUuid,
    subject_uuid: e.subjectUuid,
    ip: e.ip,
    user_agent: e.userAgent,
    country: e.country,
    client_id: e.clientId,
    detail,
  };
}
