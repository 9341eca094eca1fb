import { and, desc, eq, isNull, lt, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { clients, sessions } from '../../db/schema';
import { read } from '../../db/statement';
import { type Guard, guarded } from '../../policy/guard';

/**
 * Revokes the unrevoked sessions made through a client's key (`clientId`), or through any client
 * of an organization (`orgId`): revoking a key ends them at once.
 */
export const revokeClientSessions = (db: Db, guard: Guard, which: { clientId: string; orgId: string } | { orgId: string }, now: number) =>
  guarded(guard, (may) =>
    db
      .update(sessions)
      .set({ revokedAt: now })
      .where(
        and(
          isNull(sessions.revokedAt),
          'clientId' in which
            ? and(
                eq(sessions.clientId, which.clientId),
                sql`exists (select 1 from ${clients} where ${clients.id} = ${which.clientId} and ${clients.organizationId} = ${which.orgId})`,
              )
            : sql`${sessions.clientId} in (select ${clients.id} from ${clients} where ${clients.organizationId} = ${which.orgId})`,
          may,
        ),
      )
      .returning({ id: sessions.id, lastUsedAt: sessions.lastUsedAt }),
  );

/** What a listing shows of a client: never the key or its hash. */
export const clientColumns = {
  id: clients.id,
  organizationId: clients.organizationId,
  name: clients.name,
  keyPrefix: clients.keyPrefix,
  createdAt: clients.createdAt,
  lastUsedAt: clients.lastUsedAt,
  revokedAt: clients.revokedAt,
};

/** An organization's active clients, newest first, `limit + 1` rows. */
export const clientsPage = (db: Db, orgId: string, q: { limit: number; after?: string }) =>
  read(
    db
      .select(clientColumns)
      .from(clients)
      .where(and(eq(clients.organizationId, orgId), isNull(clients.revokedAt), q.after ? lt(clients.id, q.after) : undefined))
      .orderBy(desc(clients.id))
      .limit(q.limit + 1),
  );

/** Registers a client of `orgId` with its key's hash, while the organization exists. Columns in table order. */
export const insertClient = (db: Db, guard: Guard, c: { id: string; orgId: string; name: string; hash: string; prefix: string; now: number }) =>
  guarded(guard, (may) =>
    db
      .insert(clients)
      .select(
        sql`select ${c.id}, ${c.orgId}, ${c.name}, ${c.hash}, ${c.prefix}, ${c.now}, null, null where exists (select 1 from organizations where id = ${c.orgId}) and ${may}`,
      )
      .returning(clientColumns),
  );

/** Revokes client `clientId` of `orgId` (nothing when it is another's or revoked already). */
export const revokeClient = (db: Db, guard: Guard, orgId: string, clientId: string, now: number) =>
  guarded(guard, (may) =>
    db
      .update(clients)
      .set({ revokedAt: now })
      .where(and(eq(clients.id, clientId), eq(clients.organizationId, orgId), isNull(clients.revokedAt), may))
      .returning({ id: clients.id }),
  );

/** SQL true while client `clientId` of `orgId` is active. */
export const clientActive = (orgId: string, clientId: string) =>
  sql`exists (select 1 from ${clients} where ${clients.id} = ${clientId} and ${clients.organizationId} = ${orgId} and ${clients.revokedAt} is null)`;

/** The client-credentials grant's lookup: the active client with this id and key hash. */
export const clientByCredentials = (db: Db, id: string, hash: string) =>
  read(
    db
      .select({ id: clients.id, organizationId: clients.organizationId })
      .from(clients)
      .where(and(eq(clients.id, id), eq(clients.keyHash, hash), isNull(clients.revokedAt)))
      .limit(1),
  );
