// Realistic user and audit-event rows written straight into the local D1 (`wrangler d1 execute
// --file`), for the admin listings at 100,000 users and 1,000,000 events: signing 100,000 users
// up through the API would take PBKDF2 × 100,000 ≈ 2 hours of CPU on this machine, and a million
// logins ten times that.
//
// D1 limits respected: one SQL statement is at most 100 KB, so rows go in multi-row INSERTs
// cut below that; each file holds FILE_ROWS (users) or EVENT_FILE_ROWS (events) rows and is one
// `wrangler d1 execute` run.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { AuditEventName, Role } from '../../src/db/schema';
import { wrangler } from '../lib/dev-server';

const MAX_STATEMENT_BYTES = 90_000; // D1: 100 KB per statement; a margin for the INSERT prefix
const FILE_ROWS = 25_000;
const EVENT_FILE_ROWS = 100_000;
const DAY_MS = 86_400_000;
const YEAR_MS = 365 * DAY_MS;

const FIRST = [
  'Ada',
  'Grace',
  'Alan',
  'Edsger',
  'Barbara',
  'Donald',
  'Frances',
  'Ken',
  'Margaret',
  'Linus',
  'Radia',
  'Tim',
  'Hedy',
  'Dennis',
  'Sophie',
  'Guido',
  'Anita',
  'Niklaus',
  'Karen',
  'John',
] as const;
const LAST = [
  'Lovelace',
  'Hopper',
  'Turing',
  'Dijkstra',
  'Liskov',
  'Knuth',
  'Allen',
  'Thompson',
  'Hamilton',
  'Torvalds',
  'Perlman',
  'Berners-Lee',
  'Lamarr',
  'Ritchie',
  'Wilson',
  'van Rossum',
  'Borg',
  'Wirth',
  'Jones',
  'McCarthy',
] as const;
const CITIES = ['Lisbon', 'Nairobi', 'Osaka', 'Toronto', 'Berlin', 'Lima', 'Pune', 'Sydney', null] as const;
const ORGS = ['Acme Corp', 'Globex', 'Initech', 'Umbrella', 'Hooli', null, null] as const;
const TITLES = ['Engineer', 'Designer', 'Manager', 'Analyst', 'Student', null] as const;

type Value = string | number | null;

/** A `users` row as D1 stores it (column names, integers for booleans). */
export interface SeedUser {
  [column: string]: Value;
  uuid: string;
  username: string;
  role: Role;
}

// `i % list.length` is always an index of the non-empty list; the cast only tells
// noUncheckedIndexedAccess so (`?? fallback` would be wrong: some lists hold null on purpose).
const pick = <T>(list: readonly [T, ...T[]], i: number): T => list[i % list.length] as T;
const sql = (v: Value) => (v === null ? 'NULL' : typeof v === 'number' ? String(v) : `'${String(v).replaceAll("'", "''")}'`);
const b64 = (bytes: number) => randomBytes(bytes).toString('base64url');

/** A UUIDv7 for `ms` (RFC 9562 §5.7), as src/lib/ids.ts makes them: ids sort by creation time. */
function uuidv7(ms: number): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(ms, 0, 6);
  bytes.writeUInt8(0x70 | (bytes.readUInt8(6) & 0x0f), 6);
  bytes.writeUInt8(0x80 | (bytes.readUInt8(8) & 0x3f), 8);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Row `i` of the seed: created during the year before `now`, mostly normal users, some
 * celebrities, a few admins and disabled accounts. The password hash has the stored format
 * (pbkdf2-sha512$iterations$pepper$salt$hash) over random bytes: well-formed, matches no password.
 */
export function seedUser(i: number, now: number, tag: string): SeedUser {
  const createdAt = now - YEAR_MS + Math.floor((i / 100_000) * (YEAR_MS - 60_000));
  const first = pick(FIRST, i);
  const last = pick(LAST, Math.floor(i / FIRST.length));
  const username = `${first.toLowerCase()}.${tag}${i}`;
  const email = `${first.toLowerCase()}.${last.toLowerCase().replaceAll(/[^a-z]/g, '')}.${tag}${i}@example.org`;
  const role: Role = i % 1000 === 0 ? 'admin' : i % 40 === 0 ? 'celebrity' : 'normal';
  return {
    uuid: uuidv7(createdAt),
    username,
    username_key: username.toLowerCase(),
    email,
    email_key: email.toLowerCase(),
    name: first,
    surname: last,
    city: pick(CITIES, i),
    organization: pick(ORGS, i),
    designation: pick(TITLES, i),
    mobile: i % 3 === 0 ? `+1555${String(i).padStart(7, '0')}` : null,
    role,
    disabled: i % 100 === 99 ? 1 : 0,
    password_hash: `pbkdf2-sha512$100000$-$${b64(16)}$${b64(64)}`,
    created_at: createdAt,
    updated_at: createdAt,
    last_login_at: i % 10 < 7 ? createdAt + 3_600_000 : null,
  };
}

/** INSERT statements for `rows` (all with the columns of the first), each below MAX_STATEMENT_BYTES. */
export function insertStatements(rows: readonly Record<string, Value>[], table = 'users'): string[] {
  if (!rows[0]) return [];
  const columns = Object.keys(rows[0]);
  const prefix = `INSERT INTO ${table} (${columns.join(', ')}) VALUES\n`;
  const statements: string[] = [];
  let values: string[] = [];
  let bytes = prefix.length;
  for (const row of rows) {
    const tuple = `(${columns.map((c) => sql(row[c] ?? null)).join(', ')})`;
    if (values.length && bytes + tuple.length + 2 > MAX_STATEMENT_BYTES) {
      statements.push(prefix + values.join(',\n') + ';');
      values = [];
      bytes = prefix.length;
    }
    values.push(tuple);
    bytes += tuple.length + 2;
  }
  if (values.length) statements.push(prefix + values.join(',\n') + ';');
  return statements;
}

/**
 * Folds the local D1's write-ahead log back into its database file (the dev server must be
 * stopped). `wrangler d1 execute --file` leaves the WAL of everything it inserted behind: 785 MB
 * next to a 650 MB database after a million events, and D1 refuses `PRAGMA wal_checkpoint`.
 * With that WAL the worker's workerd looks every page it reads up in a wal-index that grows
 * with the seed before it reads the database file, a cost of how the rows were loaded rather
 * than of the table's size, which is what the large scenarios compare (in our runs it stayed
 * below the machine's run-to-run noise). Opening and closing the file with SQLite itself
 * (node:sqlite) checkpoints it.
 */
export function checkpointD1(persist: string): void {
  const dir = join(persist, 'v3', 'd1');
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    if (!entry.endsWith('.sqlite') || !existsSync(join(dir, `${entry}-wal`))) continue;
    const db = new DatabaseSync(join(dir, entry));
    try {
      db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
    } finally {
      db.close();
    }
  }
}

/**
 * Adds `count` seeded users to the local D1 in `persist` (the dev server must be stopped:
 * its workerd holds the same SQLite file) and checkpoints its WAL. Returns the seeded uuids,
 * oldest first.
 */
export function seedUsers(persist: string, count: number, { now = Date.now(), log = (_msg: string) => {} } = {}): string[] {
  const tag = randomBytes(3).toString('hex');
  const work = mkdtempSync(join(tmpdir(), 'bench-seed-'));
  const uuids: string[] = [];
  try {
    for (let start = 0; start < count; start += FILE_ROWS) {
      const rows: SeedUser[] = [];
      for (let i = start; i < Math.min(count, start + FILE_ROWS); i++) rows.push(seedUser(i, now, tag));
      uuids.push(...rows.map((r) => r.uuid));
      const file = join(work, `users-${start}.sql`);
      writeFileSync(file, insertStatements(rows).join('\n'));
      wrangler(['d1', 'execute', 'DB', '--local', '--persist-to', persist, '--file', file, '--yes']);
      log(`seeded ${start + rows.length} / ${count} users`);
    }
    checkpointD1(persist);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return uuids.sort();
}

// Audit events (audit_events, src/db/schema.ts): a year of a busy service's security events.

/** Time between two seeded events: 1,000,000 of them span 399 days, inside the default 400-day retention. */
export const EVENT_SPACING_MS = Math.floor((399 * DAY_MS) / 1_000_000);

/** An `audit_events` row as the worker writes it (src/services/audit/events.ts). */
export interface SeedEvent {
  [column: string]: Value;
  id: string;
  at: number;
  event: AuditEventName;
  actor_uuid: string | null;
  subject_uuid: string | null;
}

/** Whom the seeded events are about. */
export interface EventPeople {
  /**
   * An account that had a bad week: among the newest HOT_EVENTS events every third login, logout
   * or password event is about it (a guessing attack, then a password change), and among the
   * older ones one in 1,000, so its filtered page (GET /audit?user=) is full at 100 events as at
   * 1,000,000 (28 and about 1,300 events about it).
   */
  hot: string;
  /** The admin who reviews photos and changes roles. */
  admin: string;
  /** Everyone else (the users in D1). */
  users: readonly [string, ...string[]];
}

/**
 * Share of each kind in every 100 consecutive events (the row's kind is (37 × i) mod 100, so
 * kinds interleave in time): logins dominate, a quarter of them failing (guessing), then
 * logouts, sign-ups, password changes and the rarer admin actions.
 */
const KINDS: readonly [below: number, kind: AuditEventName][] = [
  [40, 'login.succeeded'],
  [65, 'login.failed'],
  [77, 'session.revoked'],
  [83, 'user.signed_up'],
  [87, 'password.changed'],
  [91, 'photo.reviewed'],
  [94, 'user.role_changed'],
  [96, 'user.disabled'],
  [97, 'user.enabled'],
  [98, 'session.reuse_detected'],
  [100, 'user.deleted'],
];
const HOT_EVENTS = 1000;
const ABOUT_HOT: ReadonlySet<AuditEventName> = new Set(['login.succeeded', 'login.failed', 'session.revoked', 'password.changed']);
const BY_ADMIN: ReadonlySet<AuditEventName> = new Set(['photo.reviewed', 'user.role_changed', 'user.disabled', 'user.enabled']);
const ANONYMOUS: ReadonlySet<AuditEventName> = new Set(['login.failed', 'session.reuse_detected']);
const AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Safari/605.1.15',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.5 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0',
  'Mozilla/5.0 (Linux; Android 15; Pixel 9) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0.0.0 Mobile Safari/537.36',
  'userauth-ios/4.2.1 (iPhone16,2; iOS 18.5)',
  'python-requests/2.32.4',
] as const;
const COUNTRIES = ['PT', 'KE', 'JP', 'CA', 'DE', 'PE', 'IN', 'AU', 'US', 'BR', 'GB', null] as const;
const CLIENTS = ['userauth', 'userauth', 'userauth', 'userauth', 'partner-portal'] as const;
const FAILURES = ['bad_password', 'bad_password', 'bad_password', 'throttled', 'disabled', 'second_factor'] as const;

/** The detail JSON the worker would write for this kind (non-secret context only). */
function eventDetail(kind: AuditEventName, i: number, at: number): string | null {
  switch (kind) {
    case 'login.succeeded':
    case 'session.reuse_detected':
      return JSON.stringify({ session: uuidv7(at) });
    case 'login.failed':
      return JSON.stringify({ reason: pick(FAILURES, i) });
    case 'session.revoked':
      return JSON.stringify(i % 5 === 0 ? { reason: 'logout_everywhere', sessions: 1 + (i % 7) } : { reason: 'logout', session: uuidv7(at - 3_600_000) });
    case 'password.changed':
      return JSON.stringify({ sessions_revoked: i % 4 });
    case 'photo.reviewed':
      return JSON.stringify({ photo: uuidv7(at - 60_000), decision: i % 3 ? 'accepted' : 'rejected' });
    case 'user.role_changed':
      return JSON.stringify(i % 2 ? { from: 'normal', to: 'celebrity' } : { from: 'celebrity', to: 'normal' });
    default:
      return null;
  }
}

/**
 * Event `i` of the seed: `i` = 0 is the newest, at `now`, and each next one EVENT_SPACING_MS
 * older, so seeding 0–99 and then 100–999,999 leaves the newest 100 where they were.
 */
export function seedEvent(i: number, now: number, people: EventPeople): SeedEvent {
  const at = now - i * EVENT_SPACING_MS;
  const k = (37 * i) % 100;
  const kind = KINDS.find(([below]) => k < below)?.[1] ?? 'login.succeeded';
  const erased = kind === 'user.deleted';
  // Erasure strips what identifies the person; the uuid stays, with no user row behind it.
  const aboutHot = ABOUT_HOT.has(kind) && i % (i < HOT_EVENTS ? 3 : 1000) === 0;
  const subject = erased ? uuidv7(at - YEAR_MS) : aboutHot ? people.hot : pick(people.users, (i * 7919) % 1_000_003);
  const attacker = kind === 'login.failed' && i % 2 === 0;
  return {
    id: uuidv7(at),
    at,
    event: kind,
    actor_uuid: BY_ADMIN.has(kind) ? people.admin : ANONYMOUS.has(kind) ? null : subject,
    subject_uuid: subject,
    ip: erased
      ? null
      : attacker
        ? `203.0.113.${i % 7}`
        : i % 6 === 0
          ? `2001:db8:${(i % 4093).toString(16)}::${(i % 251).toString(16)}`
          : `198.51.100.${i % 254}`,
    user_agent: erased ? null : attacker ? 'python-requests/2.32.4' : pick(AGENTS, i),
    country: erased ? null : pick(COUNTRIES, i),
    client_id: pick(CLIENTS, i),
    detail: eventDetail(kind, i, at),
  };
}

/**
 * Adds events `from` … `from + count - 1` to the local D1 in `persist` (the dev server must be
 * stopped), `from` = 0 being the newest, and checkpoints its WAL.
 */
export function seedEvents(
  persist: string,
  { from, count, now, people, log = (_msg: string) => {} }: { from: number; count: number; now: number; people: EventPeople; log?: (msg: string) => void },
): void {
  const work = mkdtempSync(join(tmpdir(), 'bench-seed-'));
  try {
    for (let start = from; start < from + count; start += EVENT_FILE_ROWS) {
      const rows: SeedEvent[] = [];
      for (let i = start; i < Math.min(from + count, start + EVENT_FILE_ROWS); i++) rows.push(seedEvent(i, now, people));
      const file = join(work, `events-${start}.sql`);
      writeFileSync(file, insertStatements(rows, 'audit_events').join('\n'));
      wrangler(['d1', 'execute', 'DB', '--local', '--persist-to', persist, '--file', file, '--yes']);
      log(`seeded ${start - from + rows.length} / ${count} audit events`);
    }
    checkpointD1(persist);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
