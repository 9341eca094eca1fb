import { and, desc, eq, lt } from 'drizzle-orm';
import type { Db } from '../db/client';
import { logins, type LoginRow } from '../db/schema';
import type { ClientInfo } from '../lib/client';
import { iso } from '../lib/clock';
import { uuidv7 } from '../lib/ids';
import { toPage } from '../lib/pagination';

export function toLoginDto(l: LoginRow) {
  return { uuid: l.uuid, user_uuid: l.userUuid, login_time: iso(l.loginTime), ip: l.ip, user_agent: l.userAgent, country: l.country };
}

/** The INSERT of one login record, for batching with the rest of a password grant. */
export const insertLogin = (db: Db, userUuid: string, client: ClientInfo, now: number) =>
  db.insert(logins).values({ uuid: uuidv7(now), userUuid, loginTime: now, ...client });

/** Newest first; every login record when `userUuid` is omitted (admin). */
export async function listLogins(db: Db, q: { userUuid?: string; limit: number; after?: string }) {
  const rows = await db
    .select()
    .from(logins)
    .where(and(q.userUuid ? eq(logins.userUuid, q.userUuid) : undefined, q.after ? lt(logins.uuid, q.after) : undefined))
    .orderBy(desc(logins.uuid))
    .limit(q.limit + 1);
  return toPage(rows, q.limit, (l) => l.uuid);
}

export async function findLogin(db: Db, uuid: string, userUuid?: string) {
  const [row] = await db
    .select()
    .from(logins)
    .where(and(eq(logins.uuid, uuid), userUuid ? eq(logins.userUuid, userUuid) : undefined))
    .limit(1);
  return row;
}
