import { and, eq, isNull, lt, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { emailThrottle, emailTokens, users } from '../../db/schema';
import { write } from '../../db/statement';
import { randomToken, sha256Hex } from '../../lib/encoding';
import { type Guard, guarded } from '../../policy/guard';

/** Email tokens are 32 random bytes (256 bits; SPEC: at least 128), base64url: 43 characters. */
export const EMAIL_TOKEN_BYTES = 32;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export type EmailPurpose = 'verify' | 'reset' | 'change';

/** How long each kind of link works (SPEC "Email"). */
export const EMAIL_TOKEN_TTL_MS: Record<EmailPurpose, number> = { verify: 24 * 3_600_000, reset: 30 * 60_000, change: 3_600_000 };

/** A new token and the hash that is all D1 keeps of it. */
export async function newEmailToken(): Promise<{ token: string; hash: string }> {
  const token = randomToken(EMAIL_TOKEN_BYTES);
  return { token, hash: await sha256Hex(token) };
}

/** The hash of a presented token, or null when it cannot be one of ours (answered without D1 work of its own). */
export const emailTokenHash = async (token: string) => (TOKEN_SHAPE.test(token) ? sha256Hex(token) : null);

/** A random mark for the single use's compare-and-swap: only the request that wrote it acts on the token. */
export const useMark = () => randomToken(16);

/** SQL true when the token `hash` was consumed by this request (its `mark`), optionally for one purpose. */
export const wonBy = (hash: string, mark: string, purpose?: EmailPurpose) =>
  sql`exists (select 1 from ${emailTokens} where ${emailTokens.hash} = ${hash} and ${emailTokens.usedBy} = ${mark}${purpose ? sql` and ${emailTokens.purpose} = ${purpose}` : sql``})`;

/** The unused, unexpired token of one of `purposes`, as a WHERE. */
const usable = (hash: string, purposes: EmailPurpose[], now: number) =>
  and(
    eq(emailTokens.hash, hash),
    sql`${emailTokens.purpose} in (${sql.join(
      purposes.map((p) => sql`${p}`),
      sql`, `,
    )})`,
    isNull(emailTokens.usedAt),
    sql`${emailTokens.expiresAt} > ${now}`,
  );

/** The single use: of two concurrent requests with one token, exactly one gets its row back. */
export const consumeToken = (db: Db, hash: string, purposes: EmailPurpose[], mark: string, now: number) =>
  write(
    db
      .update(emailTokens)
      .set({ usedAt: now, usedBy: mark })
      .where(usable(hash, purposes, now))
      .returning({ userUuid: emailTokens.userUuid, purpose: emailTokens.purpose, email: emailTokens.email, emailKey: emailTokens.emailKey }),
  );

/** A usable reset token with its user (enabled only), read before PBKDF2: the password policy needs the user's details. */
export const pendingReset = (db: Db, hash: string, now: number) =>
  db
    .select({ uuid: users.uuid, username: users.username, email: users.email, name: users.name, surname: users.surname })
    .from(emailTokens)
    .innerJoin(users, eq(users.uuid, emailTokens.userUuid))
    .where(and(usable(hash, ['reset'], now), eq(users.disabled, false)))
    .limit(1);

/** Voids a user's outstanding tokens of `purposes` (a newer one replaces them; a reset or an email change ends them). */
export const voidTokensQuery = (db: Db, userUuid: string | SQL, purposes: EmailPurpose[], now: number, when: SQL) =>
  db
    .update(emailTokens)
    .set({ usedAt: now })
    .where(
      and(
        sql`${emailTokens.userUuid} = ${userUuid}`,
        sql`${emailTokens.purpose} in (${sql.join(
          purposes.map((p) => sql`${p}`),
          sql`, `,
        )})`,
        isNull(emailTokens.usedAt),
        when,
      ),
    );

export interface TokenInsert {
  hash: string;
  purpose: EmailPurpose;
  now: number;
  /** The address the message goes to; null: the user's current one. */
  email?: { email: string; key: string };
}

/**
 * A token for the user `where` selects (zero or one row), inserted only when `when` holds:
 * insert … select, so a user that does not exist, is over the throttle or was refused gets no
 * token, with the same statement either way. Columns in table order.
 */
export function insertTokenQuery(db: Db, t: TokenInsert, where: SQL, when: SQL) {
  const email = t.email ? sql`${t.email.email}, ${t.email.key}` : sql`${users.email}, ${users.emailKey}`;
  return db
    .insert(emailTokens)
    .select(
      sql`select ${t.hash}, ${users.uuid}, ${t.purpose}, ${email}, ${t.now}, ${t.now + EMAIL_TOKEN_TTL_MS[t.purpose]}, null, null from ${users} where ${where} and ${when}`,
    )
    .returning({ userUuid: emailTokens.userUuid, email: emailTokens.email });
}

/** Messages per address (or user) and kind in one fixed window. */
export const EMAIL_WINDOW_MS = 3_600_000;
export const EMAIL_LIMIT_PER_WINDOW = 5;

export const throttleKeyFor = (kind: 'forgot' | 'resend' | 'change', subject: string) => `${kind}:${subject}`;

function countQuery(db: Db, key: string, now: number, guard?: SQL) {
  const stale = sql`${emailThrottle.windowStart} <= ${now - EMAIL_WINDOW_MS}`;
  const set = {
    count: sql`case when ${stale} then 1 else ${emailThrottle.count} + 1 end`,
    windowStart: sql`case when ${stale} then ${now} else ${emailThrottle.windowStart} end`,
  };
  const returning = { count: emailThrottle.count, windowStart: emailThrottle.windowStart };
  if (!guard)
    return db.insert(emailThrottle).values({ key, windowStart: now, count: 1 }).onConflictDoUpdate({ target: emailThrottle.key, set }).returning(returning);
  return db
    .insert(emailThrottle)
    .select(sql`select ${key}, ${now}, 1 where ${guard}`)
    .onConflictDoUpdate({ target: emailThrottle.key, set, setWhere: guard })
    .returning(returning);
}

/** Counts one message for `key`, whoever asked (an unknown address counts like a known one). */
export const countMessage = (db: Db, key: string, now: number) => write(countQuery(db, key, now));
/** The same under a caller's guard. */
export const countMessageGuarded = (db: Db, key: string, now: number, guard: Guard) => guarded(guard, (may) => countQuery(db, key, now, may));

/** SQL true while `key` is within its limit, read after this batch counted it. */
export const withinLimit = (key: string) =>
  sql`coalesce((select ${emailThrottle.count} from ${emailThrottle} where ${emailThrottle.key} = ${key}), 0) <= ${EMAIL_LIMIT_PER_WINDOW}`;

/** Milliseconds until the window of a count over the limit ends (0: within it). */
export const overLimitFor = (rows: { count: number; windowStart: number }[], now: number) => {
  const row = rows[0];
  return row && row.count > EMAIL_LIMIT_PER_WINDOW ? Math.max(1000, row.windowStart + EMAIL_WINDOW_MS - now) : 0;
};

/** The hourly cleanup: expired tokens (used or not) and counters whose window ended. */
export const pruneEmailTokens = (db: Db, now: number, limit: number) => {
  const expired = db.select({ hash: emailTokens.hash }).from(emailTokens).where(lt(emailTokens.expiresAt, now)).limit(limit);
  return db.delete(emailTokens).where(sql`${emailTokens.hash} in ${expired}`).returning({ hash: emailTokens.hash });
};
export const pruneEmailThrottle = (db: Db, now: number, limit: number) => {
  const ended = db
    .select({ key: emailThrottle.key })
    .from(emailThrottle)
    .where(lt(emailThrottle.windowStart, now - EMAIL_WINDOW_MS))
    .limit(limit);
  return db.delete(emailThrottle).where(sql`${emailThrottle.key} in ${ended}`).returning({ key: emailThrottle.key });
};
