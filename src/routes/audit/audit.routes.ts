import { createRoute } from '@hono/zod-openapi';
import { bearer, json, problems } from '../../http/openapi';
import { requireAuth } from '../../middleware/require-auth';
import { admin } from '../../policy/rules';
import { AuditPageSchema, AuditQuery, SecurityEventsQuery } from '../../schemas/audit';

const tags = ['Audit'];

export const listAudit = createRoute({
  method: 'get',
  path: '/audit',
  tags,
  summary: 'The audit trail, newest first (admin): filters user, event, since, until',
  security: bearer,
  middleware: [requireAuth(admin)] as const,
  request: { query: AuditQuery },
  responses: { 200: json(AuditPageSchema, 'A page of security events'), ...problems(401, 403, 422) },
});

export const listMySecurityEvents = createRoute({
  method: 'get',
  path: '/user/me/security-events',
  tags,
  summary: 'The caller\'s own security events, newest first ("was that me?")',
  security: bearer,
  middleware: [requireAuth()] as const,
  request: { query: SecurityEventsQuery },
  responses: { 200: json(AuditPageSchema, 'A page of security events'), ...problems(401, 422) },
});
