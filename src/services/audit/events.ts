import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { type AuditEventName, type AuditEventRow, auditEvents, clients } from '../../db/schema';
import { write } from '../../db/statement';
import type { Deps } from '../../deps';
import { uuidv7 } from '../../lib/ids';
import { type Guard, guarded } from '../../policy/guard';

export { AUDIT_EVENTS, type AuditEventName } from '../../db/schema';

/** A detail value: only plain, non-secret context; SQL for values the batch itself decides. */
type DetailValue = string | number | boolean | null | SQL;

export interface AuditEvent {
  event: AuditEventName;
  /** Who did it (the caller); null for anonymous requests. */
  actor?: string | SQL | null;
  /** Whom it is about. */
  subject: string | SQL | null;
  detail?: Record<string, DetailValue>;
  /** The event is written only where this holds in SQL: the change it records happened in this batch. */
  when?: SQL;
}

const detailSql = (detail: Record<string, DetailValue> | undefined): SQL => {
  const entries = Object.entries(detail ?? {});
  if (entries.length === 0) return sql`null`;
  return sql`json_object(${sql.join(
    entries.map(([k, v]) => sql`${k}, ${v}`),
    sql`, `,
  )})`;
};

/**
 * The event's `client_id`: the client of the request's X-API-Key (checked by the first statement
 * of the same batch, so it is active here), else the first-party id.
 */
const clientIdOf = (deps: Pick<Deps, 'config' | 'apiKey'>) =>
  deps.apiKey
    ? sql`coalesce((select ${clients.id} from ${clients} where ${clients.keyHash} = ${deps.apiKey.hash}), ${deps.config.FIRST_PARTY_CLIENT_ID})`
    : sql`${deps.config.FIRST_PARTY_CLIENT_ID}`;

const insert = (db: Db, deps: Pick<Deps, 'client' | 'config' | 'apiKey'>, now: number, e: AuditEvent, when: SQL) =>
  db
    .insert(auditEvents)
    .select(
      sql`select ${uuidv7(now)}, ${now}, ${e.event}, ${e.actor ?? null}, ${e.subject}, ${deps.client.ip}, ${deps.client.userAgent}, ${deps.client.country}, ${clientIdOf(deps)}, ${detailSql(e.detail)} where ${when}`,
    )
    .returning();

/**
 * The event of a change made without a caller (sign-up, the token grants), as a statement for the
 * same batch as the change: insert … select … where `when`, so no change commits without its
 * event and no event without its change. RETURNING gives the rows for the export queue.
 */
export const auditWrite = (deps: Pick<Deps, 'db' | 'client' | 'config' | 'apiKey'>, now: number, e: AuditEvent) =>
  write(insert(deps.db, deps, now, e, e.when ?? sql`1`));

/** The same for a caller batch: guarded like every other change in it. */
export const auditGuarded = (deps: Pick<Deps, 'db' | 'client' | 'config' | 'apiKey'>, now: number, guard: Guard, e: AuditEvent) =>
  guarded(guard, (may) => insert(deps.db, deps, now, e, e.when ? sql`${e.when} and ${may}` : may));

export type { AuditEventRow };
