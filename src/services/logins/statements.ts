import { and, desc, eq, lt, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { compiled } from '../../db/compiled';
import { logins, type LoginRow, sessions } from '../../db/schema';
import { read } from '../../db/statement';
import type { ClientInfo } from '../../lib/client';
import { uuidv7 } from '../../lib/ids';
import { toPage } from '../../lib/pagination';

// Compiled once per isolate (src/db/compiled.ts): it runs on every password grant. insert …
// select: the record is written only if the grant's session was (columns in table order).
const insertCompiled = compiled('write', ['uuid', 'userUuid', 'now', 'ip', 'userAgent', 'country', 'sessionId'], (db, p) =>
  db
    .insert(logins)
    .select(
      sql`select ${p.uuid}, ${p.userUuid}, ${p.now}, ${p.ip}, ${p.userAgent}, ${p.country} where exists (select 1 from ${sessions} where ${sessions.id} = ${p.sessionId})`,
    ),
);

/** The login record of a grant, written only with its session (`sessionId`). */
export const insertLogin = (db: Db, userUuid: string, sessionId: string, client: ClientInfo, now: number) =>
  insertCompiled(db, { uuid: uuidv7(now), userUuid, now, ...client, sessionId });

/** Newest first, `limit + 1` rows; every login record when `userUuid` is omitted (admin). */
export const loginsPageQuery = (db: Db, q: { userUuid?: string; limit: number; after?: string }) =>
  read(
    db
      .select()
      .from(logins)
      .where(and(q.userUuid ? eq(logins.userUuid, q.userUuid) : undefined, q.after ? lt(logins.uuid, q.after) : undefined))
      .orderBy(desc(logins.uuid))
      .limit(q.limit + 1),
  );

export const loginsPage = (rows: LoginRow[], limit: number) => toPage(rows, limit, (l) => l.uuid);

/** One login record by id. */
export const loginQuery = (db: Db, uuid: string) => read(db.select().from(logins).where(eq(logins.uuid, uuid)).limit(1));
