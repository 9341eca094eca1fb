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
import { wrangler } from './devserver.mjs';

const MAX_STATEMENT_BYTES = 90_000; // D1: 100 KB per statement; a margin for the INSERT prefix
const FILE_ROWS = 25_000;
const YEAR_MS = 365 * 86_400_000;

const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Margaret', 'Linus', 'Radia', 'Tim', 'Hedy', 'Dennis', 'Sophie', 'Guido', 'Anita', 'Niklaus', 'Karen', 'John'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'Thompson', 'Hamilton', 'Torvalds', 'Perlman', 'Berners-Lee', 'Lamarr', 'Ritchie', 'Wilson', 'van Rossum', 'Borg', 'Wirth', 'Jones', 'McCarthy'];
const CITIES = ['Lisbon', 'Nairobi', 'Osaka', 'Toronto', 'Berlin', 'Lima', 'Pune', 'Sydney', null];
const ORGS = ['Acme Corp', 'Globex', 'Initech', 'Umbrella', 'Hooli', null, null];
const TITLES = ['Engineer', 'Designer', 'Manager', 'Analyst', 'Student', null];

const pick = (list, i) => list[i % list.length];
const sql = (v) => (v === null ? 'NULL' : typeof v === 'number' ? String(v) : `'${String(v).replaceAll("'", "''")}'`);
const b64 = (bytes) => randomBytes(bytes).toString('base64url');

/** A UUIDv7 for `ms` (RFC 9562 §5.7), as src/lib/ids.ts makes them: ids sort by creation time. */
function uuidv7(ms) {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(ms, 0, 6);
  bytes[6] = 0x70 | (bytes[6] & 0x0f);
  bytes[8] = 0x80 | (bytes[8] & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Row `i` of the seed: created during the year before `now`, mostly normal users, some
 * celebrities, a few admins and disabled accounts. The password hash has the stored format
 * (pbkdf2-sha512$iterations$pepper$salt$hash) over random bytes: well-formed, matches no password.
 */
export function seedUser(i, now, tag) {
  const createdAt = now - YEAR_MS + Math.floor((i / 100_000) * (YEAR_MS - 60_000));
  const first = pick(FIRST, i);
  const last = pick(LAST, Math.floor(i / FIRST.length));
  const username = `${first.toLowerCase()}.${tag}${i}`;
  const email = `${first.toLowerCase()}.${last.toLowerCase().replaceAll(/[^a-z]/g, '')}.${tag}${i}@example.org`;
  const role = i % 1000 === 0 ? 'admin' : i % 40 === 0 ? 'celebrity' : 'normal';
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
export function insertStatements(rows) {
  const columns = Object.keys(rows[0]);
  const prefix = `INSERT INTO users (${columns.join(', ')}) VALUES\n`;
  const statements = [];
  let values = [];
  let bytes = prefix.length;
  for (const row of rows) {
    const tuple = `(${columns.map((c) => sql(row[c])).join(', ')})`;
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
export function seedUsers(persist, count, { now = Date.now(), log = () => {} } = {}) {
  const tag = randomBytes(3).toString('hex');
  const work = mkdtempSync(join(tmpdir(), 'bench-seed-'));
  const uuids = [];
  try {
    for (let start = 0; start < count; start += FILE_ROWS) {
      const rows = [];
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
