import { and, desc, eq, isNull, lt, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { clients, sessions } from '../../db/schema';
import { read } from '../../db/statement';
import { type Guard, guarded } from '../../policy/guard';

/**
 * Revokes the unrevoked sessions made through a client's key (`clientId`), or through any client
 * of an organization (`orgId`): revoking a key ends them at once.
 */
export const revokeClientSessions = (db: Db, guard: Guard, which: { clientId: string } | { orgId: string }, now: number) =>
  guarded(guard, (may) =>
    db
      .update(sessions)
      .set({ revokedAt: now })
      .where(
        and(
          isNull(sessions.revokedAt),
          'clientId' in which
            ? eq(sessions.clientId, which.clientId)
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
