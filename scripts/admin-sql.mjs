// SQL for the admin scripts (scripts/admin.mjs), as pure functions with no Node APIs, so the
// Workers test runtime imports them and runs their output against a real D1
// (test/unit/admin-sql.test.ts).
//
// `wrangler d1 execute --command` has no bound parameters, so injection is ruled out by
// construction: every value reaches SQL through `text()` (a hex blob literal cast to text,
// whose only characters are 0-9 and A-F) or `int()` (a safe integer's decimal digits), and
// usernames and roles are validated before any SQL is built. Each statement is one line:
// wrangler and D1's exec() split on `;` and newlines.

/** Same rule as src/lib/text.ts USERNAME_PATTERN (the test keeps them equal). */
export const USERNAME_PATTERN = /^[A-Za-z0-9_.-]{3,32}$/;
/** Same as src/db/schema.ts ROLES. */
export const ROLES = Object.freeze(['normal', 'celebrity', 'admin']);
/** Longest find-user text; longer would only ever match nothing. */
export const MAX_SEARCH_LENGTH = 254;
export const LIST_LIMIT = 100;
const DAY_MS = 86_400_000;

/** A bad argument: the CLI prints the message and exits non-zero; no SQL was built. */
export class AdminInputError extends Error {
  constructor(message) {
    super(message);
    this.name = 'AdminInputError';
  }
}

export function parseUsername(value) {
  if (typeof value !== 'string' || !USERNAME_PATTERN.test(value)) {
    throw new AdminInputError(`Not a username: ${JSON.stringify(value ?? '')} (3-32 characters of A-Z a-z 0-9 _ . -)`);
  }
  return value;
}

export function parseRole(value) {
  if (!ROLES.includes(value)) throw new AdminInputError(`Not a role: ${JSON.stringify(value ?? '')} (one of ${ROLES.join(', ')})`);
  return value;
}

/** Any string as a SQL text literal that cannot break out: CAST(X'<UTF-8 hex>' AS TEXT). */
export function text(value) {
  if (typeof value !== 'string') throw new AdminInputError('Expected text');
  const hex = Array.from(new TextEncoder().encode(value), (b) => b.toString(16).padStart(2, '0').toUpperCase()).join('');
  return `CAST(X'${hex}' AS TEXT)`;
}

/** An integer literal (a timestamp): digits only. */
export function int(value) {
  if (!Number.isSafeInteger(value)) throw new AdminInputError(`Expected an integer, got ${value}`);
  return String(value);
}

/**
 * `expr` lower-cased for the letters of `lowered` (already lower-case): SQLite's lower() folds
 * ASCII only, so each non-ASCII letter of the text gets a replace() of its upper-case form.
 * Letters the text lacks cannot take part in a match, so folding these is enough.
 */
export function foldedFor(expr, lowered) {
  let out = expr;
  for (const l of new Set(lowered)) {
    const upper = l.toUpperCase();
    if (l > '\x7f' && upper !== l && [...upper].length === 1) out = `replace(${out}, ${text(upper)}, ${text(l)})`;
  }
  return `lower(${out})`;
}

const userUuidByName = (username) => `(SELECT uuid FROM users WHERE username_key = ${text(username.toLowerCase())})`;

/** Columns safe to print: never password_hash. */
const USER_COLUMNS = 'uuid, username, email, name, surname, role, disabled, created_at, last_login_at';

/** Revokes the live sessions of the user matched by `userExpr`, returning their ids and last use. */
const revokeSessionsOf = (userExpr, now) =>
  `UPDATE sessions SET revoked_at = ${int(now)} WHERE user_uuid = ${userExpr} AND revoked_at IS NULL RETURNING id, last_used_at`;

/**
 * set-role / make-admin. Results: [the user before (empty when there is no such user), revoked
 * session ids, the changed user (empty when the role was already that)]. Sessions are revoked
 * only when the role really changes (the API does the same).
 */
export function setRoleSql(usernameArg, roleArg, now) {
  const username = parseUsername(usernameArg);
  const role = parseRole(roleArg);
  const key = text(username.toLowerCase());
  const differs = `username_key = ${key} AND role <> ${text(role)}`;
  return [
    `SELECT uuid, username, role FROM users WHERE username_key = ${key}`,
    revokeSessionsOf(`(SELECT uuid FROM users WHERE ${differs})`, now),
    `UPDATE users SET role = ${text(role)}, updated_at = ${int(now)} WHERE ${differs} RETURNING uuid, username, role`,
  ];
}

/** revoke-sessions. Results: [revoked session ids, the user (empty when there is none)]. */
export function revokeSessionsSql(usernameArg, now) {
  const username = parseUsername(usernameArg);
  return [revokeSessionsOf(userUuidByName(username), now), `SELECT uuid, username FROM users WHERE username_key = ${text(username.toLowerCase())}`];
}

/** delete-user, step 1. Results: [the user (empty when there is none), its photos' R2 keys]. */
export function userToDeleteSql(usernameArg) {
  const username = parseUsername(usernameArg);
  return [
    `SELECT uuid, username, email, role FROM users WHERE username_key = ${text(username.toLowerCase())}`,
    `SELECT id, r2_key FROM photos WHERE user_uuid = ${userUuidByName(username)} ORDER BY id`,
  ];
}

/**
 * delete-user, step 2, by the uuid step 1 found. Results: [revoked session ids, counts of what
 * goes, R2 keys of photos uploaded since step 1, the deleted user]. Deleting the user row
 * cascades to logins, sessions, refresh_tokens and photos (foreign keys, always on in D1).
 */
export function deleteUserSql(uuid, now) {
  const u = text(uuid);
  const count = (table) => `(SELECT count(*) FROM ${table} WHERE user_uuid = ${u}) AS ${table}`;
  const refreshTokens = `(SELECT count(*) FROM refresh_tokens WHERE session_id IN (SELECT id FROM sessions WHERE user_uuid = ${u})) AS refresh_tokens`;
  return [
    revokeSessionsOf(u, now),
    `SELECT ${count('logins')}, ${count('sessions')}, ${refreshTokens}, ${count('photos')}`,
    `SELECT id, r2_key FROM photos WHERE user_uuid = ${u} ORDER BY id`,
    `DELETE FROM users WHERE uuid = ${u} RETURNING uuid, username`,
  ];
}

/** list-users: newest first (ids are UUIDv7, so by primary key), at most 100. */
export function listUsersSql() {
  return [`SELECT ${USER_COLUMNS} FROM users ORDER BY uuid DESC LIMIT ${int(LIST_LIMIT)}`];
}

/**
 * find-user: users whose username, email or "name surname" contains the text in any case.
 * instr() rather than LIKE: it has no wildcards to escape, and D1 caps LIKE and GLOB patterns
 * at 50 bytes. The stored username and email keys are lower-case already.
 */
export function findUserSql(value) {
  if (typeof value !== 'string' || value.length === 0) throw new AdminInputError('find-user needs the text to look for');
  if (value.length > MAX_SEARCH_LENGTH) throw new AdminInputError(`find-user text is longer than ${MAX_SEARCH_LENGTH} characters`);
  const lowered = value.normalize('NFC').toLowerCase();
  const t = text(lowered);
  const where = `instr(username_key, ${t}) > 0 OR instr(email_key, ${t}) > 0 OR instr(${foldedFor(`name || ' ' || surname`, lowered)}, ${t}) > 0`;
  return [`SELECT ${USER_COLUMNS} FROM users WHERE ${where} ORDER BY uuid DESC LIMIT ${int(LIST_LIMIT)}`];
}

/** stats. Results: [users per role, one row of counts]. */
export function statsSql(now) {
  return [
    `SELECT role, count(*) AS users FROM users GROUP BY role ORDER BY role`,
    `SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM users WHERE disabled = 1) AS disabled, ` +
      `(SELECT count(*) FROM sessions WHERE revoked_at IS NULL AND expires_at > ${int(now)} AND absolute_expires_at > ${int(now)}) AS live_sessions, ` +
      `(SELECT count(*) FROM logins WHERE login_time > ${int(now - DAY_MS)}) AS logins_24h, ` +
      `(SELECT count(*) FROM photos WHERE status = 'pending') AS pending_photos`,
  ];
}

/** What `wrangler d1 execute --command` receives. */
export const joinStatements = (statements) => statements.map((s) => `${s};`).join('\n');

/** The KV record the worker writes for a revoked session (src/services/revocation.ts). */
export const revocationKey = (sessionId) => `revoked-session:${sessionId}`;
export const revocationValue = (now, reason) => JSON.stringify({ revoked_at: new Date(now).toISOString(), reason });
/** KV refuses an expirationTtl below 60 s; records live as long as the access tokens they refuse. */
/**
 * Seconds a session's revocation record must live: until its newest access token expires
 * (`last_used_at` + access TTL), at least KV's 60 s; 0 when none can still be valid (no record).
 * The same rule as the worker's src/services/revocation.ts.
 */
export function revocationTtl(lastUsedAt, accessTokenTtlSeconds, now) {
  const remaining = Math.ceil((lastUsedAt + accessTokenTtlSeconds * 1000 - now) / 1000);
  return remaining <= 0 ? 0 : Math.max(60, remaining);
}
