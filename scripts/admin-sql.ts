// SQL for the admin CLI (scripts/admin.ts), as pure functions with no Node APIs, so the
// Workers test runtime imports them and runs their output against a real D1
// (test/unit/admin-sql.test.ts).
//
// `wrangler d1 execute --command` has no bound parameters, so injection is ruled out by
// construction: every value reaches SQL through `text()` (a hex blob literal cast to text,
// whose only characters are 0-9 and A-F) or `int()` (a safe integer's decimal digits), and
// usernames and roles are validated before any SQL is built. Each statement is one line:
// wrangler and D1's exec() split on `;` and newlines.
//
// The rules come from src/, not from copies: the roles and the username rule the API
// validates with, the live-session rule every session check uses (rendered to text SQL by
// Drizzle's own SQLite dialect) and the KV revocation record the worker writes. Imports
// carry no extension because this module is also type-checked by the Workers tsconfig
// (through its test), which does not allow `.ts` import paths; tsx resolves them the same way.
import { type SQL, sql } from 'drizzle-orm';
import { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core';
import { type AuditEventName, ORG_ROLES, type OrgRole, ROLES, type Role, sessions } from '../src/db/schema';
import { UUID_PATTERN, uuidv7Bound } from '../src/lib/ids';
import { plainTextProblem, trimSpace, USERNAME_PATTERN } from '../src/lib/text';
import { liveSession } from '../src/policy/live-session';
import { REVOKED_SESSION_PREFIX, type RevocationReason, revocationRecord, revocationTtl } from '../src/services/revocation';

export { ORG_ROLES, ROLES, USERNAME_PATTERN };

/** What `audit --event` accepts: an area and an action, lower case (`login.failed`). */
export const EVENT_PATTERN = /^[a-z_]+\.[a-z_]+$/;
/** Longest `--event`; the recorded names are far shorter. */
export const MAX_EVENT_LENGTH = 64;
export type { OrgRole, RevocationReason, Role };

/** Longest find-user text; longer would only ever match nothing. */
export const MAX_SEARCH_LENGTH = 254;
export const LIST_LIMIT = 100;
const DAY_MS = 86_400_000;

/** A bad argument: the CLI prints the message and exits non-zero; no SQL was built. */
export class AdminInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AdminInputError';
  }
}

/**
 * Statements for one `wrangler d1 execute`, typed by the rows each one returns (`R[i]` for
 * statement `i`). The type parameter exists only for the compiler: it keeps the columns a
 * caller reads next to the SQL that selects them, so renaming a column breaks the build.
 */
export type Batch<R extends unknown[][]> = string[] & { readonly rows?: R };
const batch = <R extends unknown[][]>(statements: string[]): Batch<R> => statements;

/** `users` columns safe to print (never password_hash), as list-users and find-user return them. */
export interface UserListRow {
  uuid: string;
  username: string;
  email: string;
  name: string;
  surname: string;
  role: Role;
  /** SQLite has no boolean: 0 or 1. */
  disabled: number;
  created_at: number;
  last_login_at: number | null;
  /** 0 or 1. */
  mfa_enabled: number;
  /** 0 or 1: the current address was confirmed by a link sent to it. */
  email_verified: number;
}
export interface UserRoleRow {
  uuid: string;
  username: string;
  role: Role;
}
export interface UserToDeleteRow extends UserRoleRow {
  email: string;
}
export interface UserRefRow {
  uuid: string;
  username: string;
}
export interface PhotoKeyRow {
  id: string;
  r2_key: string;
}
/** A session the statement just revoked: what its revocation record needs. */
export interface RevokedRow {
  id: string;
  last_used_at: number;
}
export interface DeleteCountsRow {
  logins: number;
  sessions: number;
  refresh_tokens: number;
  photos: number;
}
export interface RoleCountRow {
  role: Role;
  users: number;
}
/** One audit event as `audit` prints it: usernames joined where the user still exists. */
export interface AuditRow {
  id: string;
  at: number;
  event: string;
  actor_uuid: string | null;
  /** The actor's username; null when there is no actor or the user is gone. */
  actor: string | null;
  subject_uuid: string | null;
  subject: string | null;
  ip: string | null;
  country: string | null;
  /** JSON text. */
  detail: string | null;
}
export interface StatsRow {
  users: number;
  disabled: number;
  live_sessions: number;
  logins_24h: number;
  pending_photos: number;
}

export function parseUsername(value: unknown): string {
  if (typeof value !== 'string' || !USERNAME_PATTERN.test(value)) {
    throw new AdminInputError(`Not a username: ${JSON.stringify(value ?? '')} (3-32 characters of A-Z a-z 0-9 _ . -)`);
  }
  return value;
}

/**
 * `audit --event`: a name such as `login.failed`. Unknown names are not refused (older events
 * may carry names the code no longer writes); they just match nothing.
 */
export function parseEvent(value: unknown): string {
  if (typeof value !== 'string' || value.length > MAX_EVENT_LENGTH || !EVENT_PATTERN.test(value)) {
    throw new AdminInputError(`Not an event name: ${JSON.stringify(value ?? '')} (lower-case letters and _ around one dot, e.g. login.failed)`);
  }
  return value;
}

const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?)?$/;
const SINCE_EXAMPLES = 'e.g. 2026-01-31, 2026-01-31T09:30Z or 2026-01-31T09:30:00+01:00';

/**
 * `audit --since`: an ISO 8601 date (midnight UTC) or date and time with `Z` or an offset, as
 * milliseconds since 1970. Anything else is refused rather than guessed: no local times (which
 * zone?), no "yesterday", no 2026-02-30.
 */
export function parseSince(value: unknown): number {
  const m = typeof value === 'string' ? ISO_DATE_TIME.exec(value) : null;
  if (!m) throw new AdminInputError(`--since takes an ISO date, not ${JSON.stringify(value ?? '')} (${SINCE_EXAMPLES})`);
  const [, y, mo, d, hh, mi, sec, fraction = '', zone] = m;
  if (hh !== undefined && zone === undefined) {
    throw new AdminInputError(`--since ${JSON.stringify(value)} has no time zone: add Z or an offset such as +01:00 (${SINCE_EXAMPLES})`);
  }
  const [year, month, day, hour, minute, second] = [y, mo, d, hh, mi, sec].map((v) => Number(v ?? 0)) as [number, number, number, number, number, number];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  let offset = 0;
  if (zone && zone !== 'Z') {
    const [oh, om] = zone.slice(1).split(':').map(Number) as [number, number];
    if (oh > 23 || om > 59) throw new AdminInputError(`--since ${JSON.stringify(value)}: no such offset (${SINCE_EXAMPLES})`);
    offset = (zone.startsWith('-') ? -1 : 1) * (oh * 60 + om) * 60_000;
  }
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59) {
    throw new AdminInputError(`--since ${JSON.stringify(value)}: no such date or time (${SINCE_EXAMPLES})`);
  }
  // Date.UTC reads years 0-99 as 19xx: those are before 1970 either way, and refused below.
  const ms = Date.UTC(year, month - 1, day, hour, minute, second, Number(fraction.slice(0, 3).padEnd(3, '0'))) - offset;
  if (year < 1970 || ms < 0) throw new AdminInputError(`--since ${JSON.stringify(value)} is before 1970, before any event`);
  return ms;
}

/** `audit --user`: a username, or a user's uuid (the events of an erased user keep only that). */
export function parseAuditUser(value: unknown): { username: string } | { uuid: string } {
  if (typeof value === 'string' && UUID_PATTERN.test(value.toLowerCase())) return { uuid: value.toLowerCase() };
  return { username: parseUsername(value) };
}

const isRole = (value: unknown): value is Role => (ROLES as readonly unknown[]).includes(value);

export function parseRole(value: unknown): Role {
  if (!isRole(value)) throw new AdminInputError(`Not a role: ${JSON.stringify(value ?? '')} (one of ${ROLES.join(', ')})`);
  return value;
}

/** Any string as a SQL text literal that cannot break out: CAST(X'<UTF-8 hex>' AS TEXT). */
export function text(value: string): string {
  // Kept for callers outside the type checker (a JSON argument, a row value).
  if (typeof value !== 'string') throw new AdminInputError('Expected text');
  const hex = Array.from(new TextEncoder().encode(value), (b) => b.toString(16).padStart(2, '0').toUpperCase()).join('');
  return `CAST(X'${hex}' AS TEXT)`;
}

/** An integer literal (a timestamp): digits only. */
export function int(value: number): string {
  if (!Number.isSafeInteger(value)) throw new AdminInputError(`Expected an integer, got ${value}`);
  return String(value);
}

const dialect = new SQLiteSyncDialect();

/**
 * A Drizzle condition from src/ as text SQL for `--command`: rendered by the same SQLite dialect
 * the worker's queries go through, so the admin CLI applies the worker's rule, not a copy. It
 * must come out with no bound parameter (values enter as `sql.raw(int(...))`), and on one line
 * with no `;`, or wrangler would split it; anything else is a bug here, hence a plain Error.
 */
export function inline(condition: SQL): string {
  const query = dialect.sqlToQuery(condition);
  if (query.params.length > 0) throw new Error(`admin SQL must not bind parameters: ${query.sql}`);
  if (/[;\r\n]/.test(query.sql)) throw new Error(`admin SQL must be one statement on one line: ${query.sql}`);
  return query.sql;
}

/** src/policy/live-session.ts at `now`: not revoked, neither expiry passed. */
export const liveSessionSql = (now: number) => inline(liveSession(sessions, sql.raw(int(now))));

/**
 * `expr` lower-cased for the letters of `lowered` (already lower-case): SQLite's lower() folds
 * ASCII only, so each non-ASCII letter of the text gets a replace() of its upper-case form.
 * Letters the text lacks cannot take part in a match, so folding these is enough.
 */
export function foldedFor(expr: string, lowered: string): string {
  let out = expr;
  for (const l of new Set(lowered)) {
    const upper = l.toUpperCase();
    if (l > '\x7f' && upper !== l && [...upper].length === 1) out = `replace(${out}, ${text(upper)}, ${text(l)})`;
  }
  return `lower(${out})`;
}

const userUuidByName = (username: string) => `(SELECT uuid FROM users WHERE username_key = ${text(username.toLowerCase())})`;

/** Columns safe to print: never password_hash. */
const USER_COLUMNS = 'uuid, username, email, name, surname, role, disabled, created_at, last_login_at, mfa_enabled, email_verified';

/**
 * Revokes the live sessions of the user matched by `userExpr`, returning their ids and last
 * use. Only live ones: an expired session already refuses everything, and revoking it would
 * report (and write a KV record for) a session nobody could use.
 */
const revokeSessionsOf = (userExpr: string, now: number) =>
  `UPDATE sessions SET revoked_at = ${int(now)} WHERE user_uuid = ${userExpr} AND ${liveSessionSql(now)} RETURNING id, last_used_at`;

/**
 * set-role / make-admin. Results: [the user before (empty when there is no such user), revoked
 * session ids, the changed user (empty when the role was already that)]. Sessions are revoked
 * only when the role really changes (the API does the same).
 */
export function setRoleSql(usernameArg: unknown, roleArg: unknown, now: number): Batch<[UserRoleRow[], RevokedRow[], UserRoleRow[]]> {
  const username = parseUsername(usernameArg);
  const role = parseRole(roleArg);
  const key = text(username.toLowerCase());
  const differs = `username_key = ${key} AND role <> ${text(role)}`;
  return batch([
    `SELECT uuid, username, role FROM users WHERE username_key = ${key}`,
    revokeSessionsOf(`(SELECT uuid FROM users WHERE ${differs})`, now),
    `UPDATE users SET role = ${text(role)}, updated_at = ${int(now)} WHERE ${differs} RETURNING uuid, username, role`,
  ]);
}

/** revoke-sessions. Results: [revoked session ids, the user (empty when there is none)]. */
export function revokeSessionsSql(usernameArg: unknown, now: number): Batch<[RevokedRow[], UserRefRow[]]> {
  const username = parseUsername(usernameArg);
  return batch([revokeSessionsOf(userUuidByName(username), now), `SELECT uuid, username FROM users WHERE username_key = ${text(username.toLowerCase())}`]);
}

/**
 * reset-mfa: the user's second factor removed, as `DELETE /user/{uuid}/mfa` does: every live
 * session revoked, the security stamp moved on (no login or challenge in flight survives), the
 * factor and its recovery codes deleted, and an `mfa.reset` event (no actor: the CLI). Results:
 * [revoked session ids, -, the user (empty when there is none), -, the removed factor (empty
 * when there was none)].
 */
export function resetMfaSql(
  usernameArg: unknown,
  now: number,
  eventId: string,
): Batch<[RevokedRow[], never[], UserRefRow[], never[], { user_uuid: string }[]]> {
  const username = parseUsername(usernameArg);
  const key = text(username.toLowerCase());
  const uuid = userUuidByName(username);
  return batch([
    revokeSessionsOf(uuid, now),
    `INSERT INTO audit_events (id, at, event, actor_uuid, subject_uuid, ip, user_agent, country, client_id, detail) SELECT ${text(eventId)}, ${int(now)}, 'mfa.reset', NULL, uuid, NULL, NULL, NULL, NULL, json_object('via', 'admin-cli') FROM users WHERE username_key = ${key} AND mfa_enabled = 1`,
    `UPDATE users SET mfa_enabled = 0, security_stamp = security_stamp + 1, updated_at = ${int(now)} WHERE username_key = ${key} RETURNING uuid, username`,
    `DELETE FROM recovery_codes WHERE user_uuid = ${uuid}`,
    `DELETE FROM totp_factors WHERE user_uuid = ${uuid} RETURNING user_uuid`,
  ]);
}

/** delete-user, step 1. Results: [the user (empty when there is none), its photos' R2 keys]. */
export function userToDeleteSql(usernameArg: unknown): Batch<[UserToDeleteRow[], PhotoKeyRow[]]> {
  const username = parseUsername(usernameArg);
  return batch([
    `SELECT uuid, username, email, role FROM users WHERE username_key = ${text(username.toLowerCase())}`,
    `SELECT id, r2_key FROM photos WHERE user_uuid = ${userUuidByName(username)} ORDER BY id`,
  ]);
}

/**
 * delete-user, step 2, by the uuid step 1 found. Results: [revoked session ids, counts of what
 * goes, R2 keys of photos uploaded since step 1, the deleted user]. Deleting the user row
 * cascades to logins, sessions, refresh_tokens and photos (foreign keys, always on in D1).
 */
export function deleteUserSql(uuid: string, now: number): Batch<[RevokedRow[], DeleteCountsRow[], PhotoKeyRow[], UserRefRow[]]> {
  const u = text(uuid);
  const count = (table: string) => `(SELECT count(*) FROM ${table} WHERE user_uuid = ${u}) AS ${table}`;
  const refreshTokens = `(SELECT count(*) FROM refresh_tokens WHERE session_id IN (SELECT id FROM sessions WHERE user_uuid = ${u})) AS refresh_tokens`;
  return batch([
    revokeSessionsOf(u, now),
    `SELECT ${count('logins')}, ${count('sessions')}, ${refreshTokens}, ${count('photos')}`,
    `SELECT id, r2_key FROM photos WHERE user_uuid = ${u} ORDER BY id`,
    `DELETE FROM users WHERE uuid = ${u} RETURNING uuid, username`,
  ]);
}

/** list-users: newest first (ids are UUIDv7, so by primary key), at most 100. */
export function listUsersSql(): Batch<[UserListRow[]]> {
  return batch([`SELECT ${USER_COLUMNS} FROM users ORDER BY uuid DESC LIMIT ${int(LIST_LIMIT)}`]);
}

/**
 * find-user: users whose username, email or "name surname" contains the text in any case.
 * instr() rather than LIKE: it has no wildcards to escape, and D1 caps LIKE and GLOB patterns
 * at 50 bytes. The stored username and email keys are lower-case already.
 */
export function findUserSql(value: unknown): Batch<[UserListRow[]]> {
  if (typeof value !== 'string' || value.length === 0) throw new AdminInputError('find-user needs the text to look for');
  if (value.length > MAX_SEARCH_LENGTH) throw new AdminInputError(`find-user text is longer than ${MAX_SEARCH_LENGTH} characters`);
  const lowered = value.normalize('NFC').toLowerCase();
  const t = text(lowered);
  const where = `instr(username_key, ${t}) > 0 OR instr(email_key, ${t}) > 0 OR instr(${foldedFor(`name || ' ' || surname`, lowered)}, ${t}) > 0`;
  return batch([`SELECT ${USER_COLUMNS} FROM users WHERE ${where} ORDER BY uuid DESC LIMIT ${int(LIST_LIMIT)}`]);
}

/** What `audit` filters on; each is validated, and absent means no filter. */
export interface AuditFilters {
  user?: unknown;
  event?: unknown;
  since?: unknown;
}

/**
 * audit: the newest events first, at most LIST_LIMIT, with the usernames of actor and subject
 * joined where those users still exist. Results: [the events, the user --user names (empty
 * when there is none, and always empty without --user)].
 *
 * Each filter keeps the query an index range read from its newest end, so it costs the rows it
 * returns however many events there are: `--user` on (subject_uuid, id) (the events about the
 * user, as GET /audit?user= does), `--event` on (event, id), and `--since` as a lower bound on
 * the id, made from the time (UUIDv7: the first 48 bits are the milliseconds).
 */
export function auditSql(filters: AuditFilters = {}): Batch<[AuditRow[], UserRefRow[]]> {
  const where: string[] = [];
  let lookup = 'SELECT uuid, username FROM users WHERE 0';
  if (filters.user !== undefined) {
    const user = parseAuditUser(filters.user);
    if ('uuid' in user) {
      where.push(`e.subject_uuid = ${text(user.uuid)}`);
      lookup = `SELECT uuid, username FROM users WHERE uuid = ${text(user.uuid)}`;
    } else {
      where.push(`e.subject_uuid = ${userUuidByName(user.username)}`);
      lookup = `SELECT uuid, username FROM users WHERE username_key = ${text(user.username.toLowerCase())}`;
    }
  }
  if (filters.event !== undefined) where.push(`e.event = ${text(parseEvent(filters.event))}`);
  if (filters.since !== undefined) where.push(`e.id >= ${text(uuidv7Bound(parseSince(filters.since), 'low'))}`);
  const columns = 'e.id, e.at, e.event, e.actor_uuid, a.username AS actor, e.subject_uuid, s.username AS subject, e.ip, e.country, e.detail';
  const joins = 'LEFT JOIN users a ON a.uuid = e.actor_uuid LEFT JOIN users s ON s.uuid = e.subject_uuid';
  return batch([
    `SELECT ${columns} FROM audit_events e ${joins}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY e.id DESC LIMIT ${int(LIST_LIMIT)}`,
    lookup,
  ]);
}

/** stats. Results: [users per role, one row of counts]. */
export function statsSql(now: number): Batch<[RoleCountRow[], StatsRow[]]> {
  return batch([
    `SELECT role, count(*) AS users FROM users GROUP BY role ORDER BY role`,
    `SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM users WHERE disabled = 1) AS disabled, ` +
      `(SELECT count(*) FROM sessions WHERE ${liveSessionSql(now)}) AS live_sessions, ` +
      `(SELECT count(*) FROM logins WHERE login_time > ${int(now - DAY_MS)}) AS logins_24h, ` +
      `(SELECT count(*) FROM photos WHERE status = 'pending') AS pending_photos`,
  ]);
}

/** What `wrangler d1 execute --command` receives. */
export const joinStatements = (statements: readonly string[]) => statements.map((s) => `${s};`).join('\n');

/** One entry of the JSON file `wrangler kv bulk put` reads. */
export interface KvBulkEntry {
  key: string;
  value: string;
  expiration_ttl: number;
}

/**
 * The KV records for sessions the CLI just revoked: exactly what the worker's
 * recordRevocations() writes (src/services/revocation.ts: same key prefix, value and TTL rule),
 * for one `wrangler kv bulk put` rather than a wrangler start per session. A session whose
 * last access token has already expired gets none.
 */
export function revocationEntries(revoked: readonly RevokedRow[], reason: RevocationReason, accessTokenTtlSeconds: number, now: number): KvBulkEntry[] {
  const value = revocationRecord(reason, now);
  return revoked
    .map((r) => ({ key: `${REVOKED_SESSION_PREFIX}${r.id}`, value, expiration_ttl: revocationTtl(Number(r.last_used_at), accessTokenTtlSeconds, now) }))
    .filter((r) => r.expiration_ttl > 0);
}

// Organizations and third-party clients (SPEC "Organizations and third-party clients").

export interface OrgRow {
  id: string;
  name: string;
  created_at: number;
}
export interface OrgListRow extends OrgRow {
  members: number;
  clients: number;
}
export interface MemberRow {
  uuid: string;
  username: string;
  organization_id: string | null;
  org_role: OrgRole | null;
}
export interface ClientRow {
  id: string;
  organization_id: string;
  name: string;
  key_prefix: string;
}

const isOrgRole = (value: unknown): value is OrgRole => (ORG_ROLES as readonly unknown[]).includes(value);

export function parseOrgRole(value: unknown): OrgRole {
  if (!isOrgRole(value)) throw new AdminInputError(`Not an org role: ${JSON.stringify(value ?? '')} (one of ${ORG_ROLES.join(', ')})`);
  return value;
}

/** An organization's or a client's id: a uuid, lower case. */
export function parseId(value: unknown, what: 'organization' | 'client'): string {
  const id = typeof value === 'string' ? value.toLowerCase() : '';
  if (!UUID_PATTERN.test(id)) throw new AdminInputError(`Not a${what === 'organization' ? 'n' : ''} ${what} id: ${JSON.stringify(value ?? '')} (a uuid)`);
  return id;
}

/** A name as the API takes it (src/lib/text.ts plainText): 1-100 characters of plain text, trimmed, NFC. */
export function parseName(value: unknown): string {
  const raw = typeof value === 'string' ? value : '';
  const problem = plainTextProblem(raw, 100);
  if (problem !== null) throw new AdminInputError(`Not a name: ${problem}`);
  return trimSpace(raw).normalize('NFC');
}

/** An audit event written by the CLI: no actor, no request, `via: admin-cli` (the same columns as the worker's). */
const cliEvent = (eventId: string, now: number, event: AuditEventName, subject: string, detail: string, from: string) =>
  `INSERT INTO audit_events (id, at, event, actor_uuid, subject_uuid, ip, user_agent, country, client_id, detail) SELECT ${text(eventId)}, ${int(now)}, ${text(event)}, NULL, ${subject}, NULL, NULL, NULL, NULL, json_object(${detail}, 'via', 'admin-cli') ${from}`;

/** create-org. Results: [the new organization, -]. */
export function createOrgSql(nameArg: unknown, id: string, now: number, eventId: string): Batch<[OrgRow[], never[]]> {
  const name = parseName(nameArg);
  const o = text(id);
  return batch([
    `INSERT INTO organizations (id, name, created_at, updated_at) VALUES (${o}, ${text(name)}, ${int(now)}, ${int(now)}) RETURNING id, name, created_at`,
    cliEvent(eventId, now, 'org.created', 'NULL', `'organization', ${o}`, `WHERE EXISTS (SELECT 1 FROM organizations WHERE id = ${o})`),
  ]);
}

/**
 * add-member: as `PUT /organizations/{id}/members/{uuid}` by a global admin: the user joins (or
 * changes role in) the organization, never while they belong to another one. Results: [the
 * organization, the user before, -, the member after (empty when nothing changed)].
 */
export function addMemberSql(
  orgArg: unknown,
  usernameArg: unknown,
  roleArg: unknown,
  now: number,
  eventId: string,
): Batch<[OrgRow[], MemberRow[], never[], MemberRow[]]> {
  const o = text(parseId(orgArg, 'organization'));
  const username = parseUsername(usernameArg);
  const role = text(parseOrgRole(roleArg));
  const key = text(username.toLowerCase());
  const joinable = `username_key = ${key} AND (organization_id IS NULL OR organization_id = ${o}) AND EXISTS (SELECT 1 FROM organizations WHERE id = ${o})`;
  return batch([
    `SELECT id, name, created_at FROM organizations WHERE id = ${o}`,
    `SELECT uuid, username, organization_id, org_role FROM users WHERE username_key = ${key}`,
    cliEvent(eventId, now, 'org.member_set', 'uuid', `'organization', ${o}, 'role', ${role}`, `FROM users WHERE ${joinable}`),
    `UPDATE users SET organization_id = ${o}, org_role = ${role}, updated_at = ${int(now)} WHERE ${joinable} RETURNING uuid, username, organization_id, org_role`,
  ]);
}

/** create-client: the key's hash and prefix only (the CLI prints the key once). Results: [the client (empty without the organization), -]. */
export function createClientSql(
  orgArg: unknown,
  nameArg: unknown,
  client: { id: string; hash: string; prefix: string },
  now: number,
  eventId: string,
): Batch<[ClientRow[], never[]]> {
  const o = text(parseId(orgArg, 'organization'));
  const c = text(client.id);
  return batch([
    `INSERT INTO clients (id, organization_id, name, key_hash, key_prefix, created_at, last_used_at, revoked_at) SELECT ${c}, ${o}, ${text(parseName(nameArg))}, ${text(client.hash)}, ${text(client.prefix)}, ${int(now)}, NULL, NULL WHERE EXISTS (SELECT 1 FROM organizations WHERE id = ${o}) RETURNING id, organization_id, name, key_prefix`,
    cliEvent(eventId, now, 'client.created', 'NULL', `'organization', ${o}, 'client', ${c}`, `WHERE EXISTS (SELECT 1 FROM clients WHERE id = ${c})`),
  ]);
}

/**
 * revoke-client: as `DELETE /organizations/{id}/clients/{client_id}`: the event, the live
 * sessions made through the key (their KV records follow), then the client. Results: [-, the
 * revoked sessions, the revoked client (empty when unknown or revoked already)].
 */
export function revokeClientSql(clientArg: unknown, now: number, eventId: string): Batch<[never[], RevokedRow[], { id: string; organization_id: string }[]]> {
  const c = text(parseId(clientArg, 'client'));
  const active = `id = ${c} AND revoked_at IS NULL`;
  return batch([
    cliEvent(eventId, now, 'client.revoked', 'NULL', `'organization', organization_id, 'client', id`, `FROM clients WHERE ${active}`),
    `UPDATE sessions SET revoked_at = ${int(now)} WHERE client_id = ${c} AND EXISTS (SELECT 1 FROM clients WHERE ${active}) AND ${liveSessionSql(now)} RETURNING id, last_used_at`,
    `UPDATE clients SET revoked_at = ${int(now)} WHERE ${active} RETURNING id, organization_id`,
  ]);
}

/** list-orgs: the newest organizations with their member and active-client counts. */
export function listOrgsSql(): Batch<[OrgListRow[]]> {
  return batch([
    `SELECT o.id, o.name, o.created_at, (SELECT count(*) FROM users u WHERE u.organization_id = o.id) AS members, (SELECT count(*) FROM clients c WHERE c.organization_id = o.id AND c.revoked_at IS NULL) AS clients FROM organizations o ORDER BY o.id DESC LIMIT ${int(LIST_LIMIT)}`,
  ]);
}
