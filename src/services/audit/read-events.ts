import { and, desc, eq, gte, lt, lte } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { type AuditEventRow, auditEvents } from '../../db/schema';
import { read } from '../../db/statement';
import { uuidv7Bound } from '../../lib/ids';
import { toPage } from '../../lib/pagination';
import { type Access, withCaller } from '../../policy/caller';
import type { Deps } from '../../deps';

export interface EventQuery {
  limit: number;
  after?: string;
  subject?: string;
  event?: string;
  since?: number;
  until?: number;
}

/**
 * Newest first, keyset over the id (UUIDv7: time order), `limit + 1` rows. Each filter is an
 * index range: (subject_uuid, id), (event, id) or the primary key, and `since`/`until` are id
 * bounds, so a page costs the same at a hundred events as at a million.
 */
export const eventsPage = (db: Db, q: EventQuery) =>
  read(
    db
      .select()
      .from(auditEvents)
      .where(
        and(
          q.subject ? eq(auditEvents.subjectUuid, q.subject) : undefined,
          q.event ? eq(auditEvents.event, q.event) : undefined,
          q.since !== undefined ? gte(auditEvents.id, uuidv7Bound(q.since, 'low')) : undefined,
          q.until !== undefined ? lte(auditEvents.id, uuidv7Bound(q.until, 'high')) : undefined,
          q.after ? lt(auditEvents.id, q.after) : undefined,
        ),
      )
      .orderBy(desc(auditEvents.id))
      .limit(q.limit + 1),
  );

const toEventPage = (rows: AuditEventRow[], limit: number) => toPage(rows, limit, (e) => e.id);

/** GET /audit (the route's rule: admin). */
export async function listEvents(deps: Deps, access: Access, q: EventQuery) {
  const { rows } = await withCaller(deps, access, { reads: { page: eventsPage(deps.db, q) } });
  return toEventPage(rows.page, q.limit);
}

/** GET /user/me/security-events: the events about the caller ("was that me?"). */
export async function mySecurityEvents(deps: Deps, access: Access, q: Omit<EventQuery, 'subject'>) {
  const { rows } = await withCaller(deps, access, { reads: { page: eventsPage(deps.db, { ...q, subject: access.claims.sub }) } });
  return toEventPage(rows.page, q.limit);
}
