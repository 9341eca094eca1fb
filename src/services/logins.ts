import { and, desc, eq, lt } from 'drizzle-orm';
import type { Db } from '../db/client';
import { compiled } from '../db/compiled';
import { logins, type LoginRow } from '../db/schema';
import type { ClientInfo } from '../lib/client';
import { iso } from '../lib/clock';
import { uuidv7 } from '../lib/ids';
import { toPage } from '../lib/pagination';

export function toLoginDto(l: LoginRow) {
  return { uuid: l.uuid, user_uuid: l.userUuid, login_time: iso(l.loginTime), ip: l.ip, user_agent: l.userAgent, country: l.country };
}

// Compiled once per isolate (src/db/compiled.ts): one runs on every password grant.
const insertCompiled = compiled(['uuid', 'userUuid', 'now', 'ip', 'userAgent', 'country'], (db, p) =>
  db.insert(logins).values({ uuid: p.uuid, userUuid: p.userUuid, loginTime: p.now, ip: p.ip, userAgent: p.userAgent, country: p.country }),
);

/** The INSERT of one login record, for batching with the rest of a password grant. */
export const insertLogin = (db: Db, userUuid: string, client: ClientInfo, now: number) => insertCompiled(db, { uuid: uuidv7(now), userUuid, now, ...client });

/** Newest first, `limit + 1` rows; every login record when `userUuid` is omitted (admin). */
export function loginsPageQuery(db: Db, q: { userUuid?: string; limit: number; after?: string }) {
  return db
    .select()
    .from(logins)
    .where(and(q.userUuid ? eq(logins.userUuid, q.userUuid) : undefined, q.after ? lt(logins.uuid, q.after) : undefined))
    .orderBy(desc(logins.uuid))
    .limit(q.limit + 1);
}

/** A page of login records as the API returns it. */
export const loginsPage = (rows: LoginRow[], limit: number) => {
  const page = toPage(rows, limit, (l) => l.uuid);
  return { items: page.items.map(toLoginDto), next_cursor: page.next_cursor };
};

/** One login record by id, as a query to batch. */
export const loginQuery = (db: Db, uuid: string) => db.select().from(logins).where(eq(logins.uuid, uuid)).limit(1);
