// `npm run admin -- <command> [args] [--remote | --persist-to <dir>]`: admin tasks over wrangler
// (docs/admin.md). The SQL comes from ./admin-sql.ts, which refuses bad arguments and encodes
// every value so nothing typed here can change a statement's meaning. Local storage by default
// (--persist-to: the local state in another directory, such as a test server's); --remote acts
// on the deployed D1, KV and R2.
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCommandLine, type Where } from './admin-args';
import * as sql from './admin-sql';
import { uuidv7 } from '../src/lib/ids';
import { newApiKey } from '../src/services/clients/keys';
import { escapeForTerminal } from '../src/lib/terminal';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const WRANGLER = join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js');

interface Config {
  accessTokenTtl: number;
  bucket: string | undefined;
}

const USAGE = `Usage: npm run admin -- <command> [args] [--local | --remote | --persist-to <dir>]

  make-admin <username>         give the user the admin role (revokes their sessions)
  set-role <username> <role>    role: ${sql.ROLES.join(' | ')} (revokes their sessions)
  list-users                    the newest ${sql.LIST_LIMIT} users
  find-user <text>              users whose username, email or name contains the text
  delete-user <username>        erase the user, their photos in R2 and everything in D1
  revoke-sessions <username>    log the user out everywhere
  reset-mfa <username>          remove the user's second factor (revokes their sessions)
  stats                         counts of users, sessions, logins and pending photos
  audit [--user <username>] [--event <name>] [--since <date>]
                                the newest ${sql.LIST_LIMIT} audit events: about the user (a username,
                                or the uuid of an erased one), of one kind (login.failed), since
                                an ISO date (2026-01-31, 2026-01-31T09:30Z)
  create-org <name>             create an organization (prints its id)
  add-member <org> <username> <role>
                                make the user a member (role: ${sql.ORG_ROLES.join(' | ')}) of organization <org> (its id)
  create-client <org> <name>    register a third-party client of <org>; prints its API key, once
  revoke-client <client_id>     revoke a client's key and end the sessions made with it
  list-orgs                     the newest ${sql.LIST_LIMIT} organizations, with member and client counts

--local (the default) uses the state of \`npm start\` under .wrangler/; --persist-to <dir> the local
state in <dir> (as \`wrangler dev --persist-to <dir>\` keeps it, e.g. a test server's); --remote the
deployed one.`;

class Failure extends Error {}

/** Reads `key = value` pairs of one [section] (or of the [[table]] whose binding matches). */
function tomlSection(header: string, binding?: string): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  let current: Record<string, string | undefined> = {};
  let inside = false;
  for (const line of readFileSync(join(ROOT, 'wrangler.toml'), 'utf8').split('\n')) {
    const head = line.match(/^\s*(\[\[?[^\]]+\]\]?)\s*(#.*)?$/);
    if (head) {
      inside = head[1] === header;
      current = {};
      continue;
    }
    const kv = inside ? line.match(/^\s*([A-Za-z0-9_]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s#]+))/) : null;
    if (!kv?.[1]) continue;
    current[kv[1]] = kv[2] ?? kv[3] ?? kv[4];
    if (!binding || current.binding === binding) Object.assign(out, current);
  }
  return out;
}

function config(): Config {
  const ttl = Number(tomlSection('[vars]').ACCESS_TOKEN_TTL_SECONDS ?? 900);
  const bucket = tomlSection('[[r2_buckets]]', 'PHOTOS').bucket_name;
  return { accessTokenTtl: Number.isFinite(ttl) ? ttl : 900, bucket };
}

function wrangler(args: string[], where: Where): SpawnSyncReturns<string> {
  const run = spawnSync(process.execPath, [WRANGLER, ...args, ...where], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['inherit', 'pipe', 'pipe'],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.error) throw new Failure(`Could not run wrangler (${run.error.message}); run npm install first.`);
  return run;
}

/** What `wrangler d1 execute --json` prints: one entry per statement, or an error object. */
type D1Output = { results?: unknown[] }[] | { error?: { text?: string } } | undefined;

/**
 * Runs the statements in one `wrangler d1 execute`; returns each statement's rows, typed by
 * the Batch the SQL module built (the rows are D1's JSON; their columns are the SELECT's).
 */
function d1<R extends unknown[][]>(statements: sql.Batch<R>, where: Where): R {
  const run = wrangler(['d1', 'execute', 'DB', '--json', '--command', sql.joinStatements(statements)], where);
  let parsed: D1Output;
  try {
    parsed = JSON.parse(run.stdout.slice(run.stdout.search(/[[{]/))) as D1Output;
  } catch {
    parsed = undefined;
  }
  if (run.status !== 0 || !Array.isArray(parsed)) {
    const error = parsed && !Array.isArray(parsed) ? parsed.error?.text : undefined;
    const reason = error ?? (run.stderr.trim() || run.stdout.trim() || `exit ${run.status}`);
    throw new Failure(`wrangler d1 execute failed: ${reason}`);
  }
  return parsed.map((r) => r.results ?? []) as R;
}

/**
 * One `wrangler kv bulk put` for the revoked sessions that may still have a valid access
 * token, each record expiring with that token (idle sessions need none).
 */
function recordRevocations(revoked: sql.RevokedRow[], reason: sql.RevocationReason, now: number, where: Where, cfg: Config): void {
  const entries = sql.revocationEntries(revoked, reason, cfg.accessTokenTtl, now);
  if (entries.length === 0) return;
  const dir = mkdtempSync(join(tmpdir(), 'userauth-admin-'));
  try {
    const file = join(dir, 'revocations.json');
    writeFileSync(file, JSON.stringify(entries));
    const run = wrangler(['kv', 'bulk', 'put', file, '--binding', 'REVOCATIONS'], where);
    if (run.status !== 0) throw new Failure(`Sessions are revoked in D1, but writing their KV records failed: ${run.stderr.trim() || run.stdout.trim()}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function deleteObject(bucket: string, key: string, where: Where): void {
  const run = wrangler(['r2', 'object', 'delete', `${bucket}/${key}`], where);
  if (run.status !== 0) throw new Failure(`Could not delete R2 object ${bucket}/${key}: ${run.stderr.trim() || run.stdout.trim()}`);
}

// Printing: data may hold anything an older client stored, so control characters are masked.
/** Every non-printing character visible as an escape: a stored name cannot drive the terminal (ANSI, bidi). */
const clean = (v: unknown) => escapeForTerminal(String(v ?? ''));
const when = (ms: unknown) => (typeof ms === 'number' ? new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z') : '');
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Rows as an aligned table, every cell through clean(); `noun` names them in the footer. */
function printTable<T extends Record<string, unknown>>(table: T[], noun: string, limitNote: string): void {
  const first = table[0];
  if (!first) return console.log(`No ${noun}s.`);
  const cols = Object.keys(first) as (keyof T & string)[];
  const width = cols.map((c) => Math.max(c.length, ...table.map((r) => clean(r[c]).length)));
  const line = (cells: unknown[]) =>
    cells
      .map((c, i) => clean(c).padEnd(width[i] ?? 0))
      .join('  ')
      .trimEnd();
  console.log(line(cols));
  console.log(line(width.map((w) => '-'.repeat(w))));
  for (const r of table) console.log(line(cols.map((c) => r[c])));
  console.log(`(${plural(table.length, noun)}${table.length === sql.LIST_LIMIT ? `, ${limitNote} ${sql.LIST_LIMIT} only` : ''})`);
}

function printUsers(rows: sql.UserListRow[]): void {
  const table = rows.map((u) => ({
    uuid: u.uuid,
    username: u.username,
    email: u.email,
    name: `${u.name} ${u.surname}`,
    role: u.role,
    disabled: u.disabled ? 'yes' : '',
    created: when(u.created_at),
    last_login: when(u.last_login_at),
    mfa: u.mfa_enabled ? 'on' : '',
    verified: u.email_verified ? 'yes' : '',
  }));
  printTable(table, 'user', 'the first');
}

function audit(options: sql.AuditFilters, where: Where): void {
  const [events, [user]] = d1(sql.auditSql(options), where);
  const byName = options.user !== undefined && !('uuid' in sql.parseAuditUser(options.user));
  if (byName && !user) throw new Failure(`No user named ${options.user}.`);
  const table = events.map((e) => ({
    time: when(e.at),
    event: e.event,
    // The username where the user still exists, else the uuid the event kept.
    actor: e.actor ?? e.actor_uuid ?? '',
    subject: e.subject ?? e.subject_uuid ?? '',
    ip: e.ip ?? '',
    country: e.country ?? '',
    detail: e.detail ?? '',
  }));
  printTable(table, 'event', 'the newest');
}

function setRole(username: string, role: string, where: Where, cfg: Config): void {
  const now = Date.now();
  const [[before], revoked, [changed]] = d1(sql.setRoleSql(username, role, now), where);
  if (!before) throw new Failure(`No user named ${username}.`);
  if (!changed) return console.log(`${before.username} already has the role ${before.role}; nothing changed.`);
  const ids = revoked.map((r) => r.id);
  recordRevocations(revoked, 'role_changed', now, where, cfg);
  console.log(`${changed.username} (${changed.uuid}): role ${before.role} -> ${changed.role}; revoked ${plural(ids.length, 'session')}.`);
}

function revokeAll(username: string, where: Where, cfg: Config): void {
  const now = Date.now();
  const [revoked, [user]] = d1(sql.revokeSessionsSql(username, now), where);
  if (!user) throw new Failure(`No user named ${username}.`);
  const ids = revoked.map((r) => r.id);
  recordRevocations(revoked, 'logout_everywhere', now, where, cfg);
  console.log(`${user.username} (${user.uuid}): revoked ${plural(ids.length, 'session')}${ids.length ? `: ${ids.join(', ')}` : ''}.`);
}

function resetMfa(username: string, where: Where, cfg: Config): void {
  const now = Date.now();
  const [revoked, , [user], , removed] = d1(sql.resetMfaSql(username, now, uuidv7(now)), where);
  if (!user) throw new Failure(`No user named ${username}.`);
  recordRevocations(revoked, 'mfa_reset', now, where, cfg);
  const what = removed.length > 0 ? 'second factor removed' : 'had no second factor';
  console.log(`${clean(user.username)} (${user.uuid}): ${what}; revoked ${plural(revoked.length, 'session')}.`);
}

function deleteUser(username: string, where: Where, cfg: Config): void {
  const [[user], photos] = d1(sql.userToDeleteSql(username), where);
  if (!user) throw new Failure(`No user named ${username}.`);
  const bucket = cfg.bucket;
  if (!bucket) throw new Failure('wrangler.toml has no [[r2_buckets]] entry with binding = "PHOTOS".');
  const deleted = new Set<string>();
  const erase = (key: string) => {
    if (deleted.has(key)) return;
    deleteObject(bucket, key, where);
    deleted.add(key);
  };
  for (const p of photos) erase(p.r2_key);
  const now = Date.now();
  const [revoked, [counts], latePhotos, [gone]] = d1(sql.deleteUserSql(user.uuid, now), where);
  // A photo uploaded between the two steps lost its row with the user; its object goes now.
  for (const p of latePhotos) erase(p.r2_key);
  const ids = revoked.map((r) => r.id);
  recordRevocations(revoked, 'deleted', now, where, cfg);
  if (!gone || !counts) throw new Failure(`${user.username} was already gone.`);
  console.log(`Deleted user ${clean(user.username)} (${user.uuid}, ${clean(user.email)}, ${user.role}) with`);
  console.log(
    `  ${plural(counts.logins, 'login record')}, ${plural(counts.sessions, 'session')} (${ids.length} live, now revoked in KV), ${plural(counts.refresh_tokens, 'refresh token')},`,
  );
  console.log(`  ${plural(counts.photos, 'photo row')} and ${plural(deleted.size, 'R2 object')}${deleted.size ? `: ${[...deleted].join(', ')}` : ''}.`);
}

function stats(where: Where): void {
  const [roles, [counts]] = d1(sql.statsSql(Date.now()), where);
  if (!counts) throw new Failure('wrangler d1 execute returned no counts.');
  const byRole: Record<string, number> = Object.fromEntries(sql.ROLES.map((r) => [r, 0]));
  for (const r of roles) byRole[r.role] = r.users;
  console.log(
    `users            ${counts.users} (${Object.entries(byRole)
      .map(([r, n]) => `${r} ${n}`)
      .join(', ')})`,
  );
  console.log(`disabled users   ${counts.disabled}`);
  console.log(`live sessions    ${counts.live_sessions}`);
  console.log(`logins, last 24h ${counts.logins_24h}`);
  console.log(`pending photos   ${counts.pending_photos}`);
}

function createOrg(name: string, where: Where): void {
  const now = Date.now();
  const [[org]] = d1(sql.createOrgSql(name, uuidv7(now), now, uuidv7(now)), where);
  if (!org) throw new Failure('wrangler d1 execute returned no organization.');
  console.log(`Created organization ${clean(org.name)} (${org.id}).`);
}

function addMember(orgId: string, username: string, role: string, where: Where): void {
  const now = Date.now();
  const [[org], [before], , [after]] = d1(sql.addMemberSql(orgId, username, role, now, uuidv7(now)), where);
  if (!org) throw new Failure(`No organization ${orgId}.`);
  if (!before) throw new Failure(`No user named ${username}.`);
  if (!after) throw new Failure(`${clean(before.username)} belongs to another organization (${before.organization_id}); remove them from it first.`);
  console.log(`${clean(after.username)} (${after.uuid}) is now ${after.org_role} of ${clean(org.name)} (${org.id}).`);
}

/**
 * The key comes from the worker's own newApiKey (WebCrypto, as in Node 24), so the CLI and
 * POST /organizations/{id}/clients make one key format. test/browser/docs.test.ts runs
 * create-client and uses the key it prints.
 */
async function createClient(orgId: string, name: string, where: Where): Promise<void> {
  const now = Date.now();
  const key = await newApiKey();
  const [[client]] = d1(sql.createClientSql(orgId, name, { id: uuidv7(now), hash: key.hash, prefix: key.prefix }, now, uuidv7(now)), where);
  if (!client) throw new Failure(`No organization ${orgId}.`);
  console.log(`Registered client ${clean(client.name)} (client_id ${client.id}) of organization ${client.organization_id}.`);
  console.log(`API key (shown once, only here; D1 keeps its hash): ${key.key}`);
}

function revokeClient(clientId: string, where: Where, cfg: Config): void {
  const now = Date.now();
  const [, revoked, [client]] = d1(sql.revokeClientSql(clientId, now, uuidv7(now)), where);
  if (!client) throw new Failure(`No active client ${clientId}.`);
  recordRevocations(revoked, 'client_revoked', now, where, cfg);
  console.log(`Revoked client ${client.id} of organization ${client.organization_id}; ended ${plural(revoked.length, 'session')}.`);
}

function listOrgs(where: Where): void {
  const [orgs] = d1(sql.listOrgsSql(), where);
  printTable(
    orgs.map((o) => ({ id: o.id, name: o.name, created: when(o.created_at), members: o.members, clients: o.clients })),
    'organization',
    'the newest',
  );
}

async function main(argv: string[]): Promise<void> {
  const line = parseCommandLine(argv);
  if (line.help) return console.log(USAGE);
  const { command, args, where, options } = line;
  // parseCommandLine checked the arity; the defaults only satisfy noUncheckedIndexedAccess.
  const [first = '', second = ''] = args;
  const cfg = config();
  switch (command) {
    case 'make-admin':
      return setRole(first, 'admin', where, cfg);
    case 'set-role':
      return setRole(first, second, where, cfg);
    case 'list-users':
      return printUsers(d1(sql.listUsersSql(), where)[0]);
    case 'find-user':
      return printUsers(d1(sql.findUserSql(first), where)[0]);
    case 'delete-user':
      return deleteUser(first, where, cfg);
    case 'revoke-sessions':
      return revokeAll(first, where, cfg);
    case 'reset-mfa':
      return resetMfa(first, where, cfg);
    case 'stats':
      return stats(where);
    case 'audit':
      return audit(options, where);
    case 'create-org':
      return createOrg(first, where);
    case 'add-member':
      return addMember(first, second, args[2] ?? '', where);
    case 'create-client':
      return createClient(first, second, where);
    case 'revoke-client':
      return revokeClient(first, where, cfg);
    case 'list-orgs':
      return listOrgs(where);
  }
}

try {
  await main(process.argv.slice(2));
} catch (err) {
  if (err instanceof sql.AdminInputError) {
    console.error(`admin: ${err.message}\n(npm run admin -- --help shows the commands)`);
    process.exit(2);
  }
  if (err instanceof Failure) {
    console.error(`admin: ${err.message}`);
    process.exit(1);
  }
  throw err;
}
