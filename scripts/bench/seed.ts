// Realistic user rows written straight into the local D1 (`wrangler d1 execute --file`), for
// the admin listing at 100,000 rows: signing 100,000 users up through the API would take
// PBKDF2 × 100,000 ≈ 2 hours of CPU on this machine.
//
// D1 limits respected: one SQL statement is at most 100 KB, so rows go in multi-row INSERTs
// cut below that; each file holds FILE_ROWS rows and is one `wrangler d1 execute` run.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Role } from '../../src/db/schema';
import { wrangler } from '../lib/dev-server';

const MAX_STATEMENT_BYTES = 90_000; // D1: 100 KB per statement; a margin for the INSERT prefix
const FILE_ROWS = 25_000;
const YEAR_MS = 365 * 86_400_000;

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

/** INSERT statements for `rows`, each below MAX_STATEMENT_BYTES. */
export function insertStatements(rows: readonly SeedUser[]): string[] {
  if (!rows[0]) return [];
  const columns = Object.keys(rows[0]);
  const prefix = `INSERT INTO users (${columns.join(', ')}) VALUES\n`;
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
 * Adds `count` seeded users to the local D1 in `persist` (the dev server must be stopped:
 * its workerd holds the same SQLite file). Returns the seeded uuids, oldest first.
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
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return uuids.sort();
}
