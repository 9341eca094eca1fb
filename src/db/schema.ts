import { getTableColumns, sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/**
 * D1 schema. Every id is a UUIDv7, so ordering by id is ordering by creation time and
 * listings page by keyset over the primary key or a composite index ending in it.
 * Times are Unix milliseconds. See docs/storage.md for the why of each table.
 */
export const users = sqliteTable(
  'users',
  {
    uuid: text('uuid').primaryKey(),
    username: text('username').notNull(),
    /** `username` lower-cased: usernames are unique without regard to case. */
    usernameKey: text('username_key').notNull(),
    email: text('email').notNull(),
    /** `email` NFC-normalised, trimmed and lower-cased (Unicode-aware, unlike SQLite's lower()). */
    emailKey: text('email_key').notNull(),
    name: text('name').notNull(),
    surname: text('surname').notNull(),
    city: text('city'),
    organization: text('organization'),
    designation: text('designation'),
    mobile: text('mobile'),
    role: text('role', { enum: ['normal', 'celebrity', 'admin'] })
      .notNull()
      .default('normal'),
    disabled: integer('disabled', { mode: 'boolean' }).notNull().default(false),
    passwordHash: text('password_hash').notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
    lastLoginAt: integer('last_login_at'),
    /**
     * Bumped by every change that must end the user's sessions (password, log out everywhere,
     * role, disabling). A password grant reads it before PBKDF2 and inserts its session only if
     * it is unchanged, so a login racing such a change cannot leave a working session behind.
     */
    securityStamp: integer('security_stamp').notNull().default(0),
    /** Whether the user has an active second factor (a `totp_factors` row with `activated_at`), kept in the same batch. */
    mfaEnabled: integer('mfa_enabled', { mode: 'boolean' }).notNull().default(false),
    /** Whether the current `email` was confirmed by a link sent to it (verification, email change or a password reset). */
    emailVerified: integer('email_verified', { mode: 'boolean' }).notNull().default(false),
    /**
     * The one organization the user belongs to (null: none). No foreign key (adding one would make
     * SQLite rebuild the table): deleting an organization detaches its members in the same batch.
     */
    organizationId: text('organization_id'),
    /** The membership's role: `member` or `admin` of `organization_id` (null with it). */
    orgRole: text('org_role', { enum: ['member', 'admin'] }),
  },
  (t) => [
    uniqueIndex('users_username_key_unique').on(t.usernameKey),
    uniqueIndex('users_email_key_unique').on(t.emailKey),
    index('users_role_uuid_idx').on(t.role, t.uuid),
    index('users_organization_uuid_idx').on(t.organizationId, t.uuid),
  ],
);

export const logins = sqliteTable(
  'logins',
  {
    uuid: text('uuid').primaryKey(),
    userUuid: text('user_uuid')
      .notNull()
      .references(() => users.uuid, { onDelete: 'cascade' }),
    loginTime: integer('login_time').notNull(),
    ip: text('ip'),
    userAgent: text('user_agent'),
    country: text('country'),
  },
  (t) => [index('logins_user_uuid_idx').on(t.userUuid, t.uuid)],
);

/** One row per refresh-token family (RFC 9700 §4.14): a login on one device. */
export const sessions = sqliteTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    userUuid: text('user_uuid')
      .notNull()
      .references(() => users.uuid, { onDelete: 'cascade' }),
    createdAt: integer('created_at').notNull(),
    lastUsedAt: integer('last_used_at').notNull(),
    /** Sliding expiry, moved forward by every refresh but never past `absoluteExpiresAt`. */
    expiresAt: integer('expires_at').notNull(),
    absoluteExpiresAt: integer('absolute_expires_at').notNull(),
    revokedAt: integer('revoked_at'),
    userAgent: text('user_agent'),
    ip: text('ip'),
    country: text('country'),
    /**
     * A browser session's cookie secret, by SHA-256 (null for a refresh-token session, which has
     * its tokens in `refresh_tokens` instead). The pages accept the cookie only with its session.
     */
    cookieHash: text('cookie_hash'),
    /** How far each use moves a browser session's sliding expiry; null: the refresh-token TTL. */
    idleSeconds: integer('idle_seconds'),
    /** RFC 8176 methods the login used, space-separated (`pwd`, `pwd otp`): every access token of the session carries them. */
    amr: text('amr').notNull().default('pwd'),
    /** The third-party client whose API key the login came with (null: the first-party client); revoking it ends the session. */
    clientId: text('client_id'),
  },
  (t) => [
    index('sessions_user_uuid_idx').on(t.userUuid, t.id),
    index('sessions_expires_at_idx').on(t.expiresAt),
    // Partial: revocation is rare, so this index costs almost nothing on the hot refresh path.
    // It lets the hourly cleanup find sessions revoked long ago without scanning the table.
    index('sessions_revoked_at_idx').on(t.revokedAt).where(sql`revoked_at is not null`),
    index('sessions_client_id_idx').on(t.clientId).where(sql`client_id is not null`),
  ],
);

/**
 * Every refresh token ever issued, by SHA-256 only. A row with `replacedBy` set was rotated;
 * presenting it again is reuse and revokes its session.
 */
export const refreshTokens = sqliteTable(
  'refresh_tokens',
  {
    hash: text('hash').primaryKey(),
    sessionId: text('session_id')
      .notNull()
      .references(() => sessions.id, { onDelete: 'cascade' }),
    createdAt: integer('created_at').notNull(),
    replacedBy: text('replaced_by'),
    replacedAt: integer('replaced_at'),
  },
  (t) => [index('refresh_tokens_session_id_idx').on(t.sessionId)],
);

export const photos = sqliteTable(
  'photos',
  {
    id: text('id').primaryKey(),
    userUuid: text('user_uuid')
      .notNull()
      .references(() => users.uuid, { onDelete: 'cascade' }),
    r2Key: text('r2_key').notNull(),
    contentType: text('content_type').notNull(),
    size: integer('size').notNull(),
    sha256: text('sha256').notNull(),
    status: text('status', { enum: ['pending', 'accepted', 'rejected'] }).notNull(),
    createdAt: integer('created_at').notNull(),
    reviewedAt: integer('reviewed_at'),
  },
  (t) => [index('photos_user_uuid_idx').on(t.userUuid, t.id), index('photos_status_idx').on(t.status, t.id)],
);

/**
 * Which account a recognised celebrity name made `celebrity` (one at a time). A second account
 * whose photo a recognizer sees as the same name goes to the admin review queue instead.
 * Released when that account is erased or its role leaves celebrity.
 */
export const celebrityNames = sqliteTable(
  'celebrity_names',
  {
    /** The name as compared (src/services/photos/recognizers/names.ts nameKey). */
    nameKey: text('name_key').primaryKey(),
    userUuid: text('user_uuid')
      .notNull()
      .references(() => users.uuid, { onDelete: 'cascade' }),
    claimedAt: integer('claimed_at').notNull(),
  },
  (t) => [index('celebrity_names_user_uuid_idx').on(t.userUuid)],
);

/**
 * A user's TOTP second factor (one per user): pending from enrolment until a code of it is
 * presented, then active. The seed is sealed with MFA_ENCRYPTION_KEY (src/lib/secret-box.ts) and
 * never stored or logged in the clear; `last_step` is the last accepted 30-second step, so an
 * accepted code cannot be replayed (a compare-and-swap moves it).
 */
export const totpFactors = sqliteTable('totp_factors', {
  userUuid: text('user_uuid')
    .primaryKey()
    .references(() => users.uuid, { onDelete: 'cascade' }),
  secret: text('secret').notNull(),
  createdAt: integer('created_at').notNull(),
  activatedAt: integer('activated_at'),
  lastStep: integer('last_step').notNull().default(0),
  /** The session the last accepted code opened: how a login's batch knows its own compare-and-swap won. */
  lastSession: text('last_session'),
});

/** Single-use recovery codes, by per-user SHA-256 only; `used_at` set by the one use that wins. */
export const recoveryCodes = sqliteTable(
  'recovery_codes',
  {
    hash: text('hash').primaryKey(),
    userUuid: text('user_uuid')
      .notNull()
      .references(() => users.uuid, { onDelete: 'cascade' }),
    createdAt: integer('created_at').notNull(),
    usedAt: integer('used_at'),
    /** The session (or the change) the code was used for: the single use's winner. */
    usedFor: text('used_for'),
  },
  (t) => [index('recovery_codes_user_uuid_idx').on(t.userUuid)],
);

/**
 * The second step of a login whose password was right (the `mfa_token` of the token endpoint, or
 * the pages' code form): by SHA-256 only, five minutes, single use, killed by five wrong codes.
 * It remembers what the password step read (the security stamp, so a change meanwhile ends it)
 * and which door it opens (a refresh-token session, or a browser session with "remember me"), and
 * through which client's key the password came.
 */
export const mfaChallenges = sqliteTable(
  'mfa_challenges',
  {
    hash: text('hash').primaryKey(),
    userUuid: text('user_uuid')
      .notNull()
      .references(() => users.uuid, { onDelete: 'cascade' }),
    securityStamp: integer('security_stamp').notNull(),
    /** The login throttle's key of the name typed at the password step: wrong codes count there. */
    throttleKey: text('throttle_key').notNull(),
    door: text('door', { enum: ['token', 'page', 'page_remember'] }).notNull(),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    /** Codes tried, counted before each is checked, so concurrent guesses cannot pass the limit. */
    attempts: integer('attempts').notNull().default(0),
    usedAt: integer('used_at'),
    /** The session its success opened. */
    sessionId: text('session_id'),
    /** The third-party client whose API key came with the password (null: first-party): the second step needs the same. */
    clientId: text('client_id'),
  },
  (t) => [index('mfa_challenges_expires_at_idx').on(t.expiresAt)],
);

/**
 * The tokens of the email links (src/services/email/): by SHA-256 only, bound to one purpose and
 * user and to the address the message went to. Single use: the one request whose compare-and-swap
 * sets `used_at` writes its own random `used_by`, and every change that depends on the token
 * checks that mark, so of two concurrent uses exactly one changes anything. A newer token of the
 * same purpose voids the older (`used_at` set, `used_by` null). The hourly cleanup deletes expired ones.
 */
export const emailTokens = sqliteTable(
  'email_tokens',
  {
    hash: text('hash').primaryKey(),
    userUuid: text('user_uuid')
      .notNull()
      .references(() => users.uuid, { onDelete: 'cascade' }),
    purpose: text('purpose', { enum: ['verify', 'reset', 'change'] }).notNull(),
    /** The address the link was sent to (for an email change: the new address). */
    email: text('email').notNull(),
    emailKey: text('email_key').notNull(),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    usedAt: integer('used_at'),
    /** The winner of the single use: a random mark of the request that consumed it. */
    usedBy: text('used_by'),
  },
  (t) => [index('email_tokens_user_purpose_idx').on(t.userUuid, t.purpose), index('email_tokens_expires_at_idx').on(t.expiresAt)],
);

/**
 * Messages sent per address and per kind in a fixed one-hour window (forgot, resend, change),
 * counted whether or not the address belongs to anyone, so the throttle reveals nothing.
 */
export const emailThrottle = sqliteTable(
  'email_throttle',
  {
    key: text('key').primaryKey(),
    windowStart: integer('window_start').notNull(),
    count: integer('count').notNull(),
  },
  (t) => [index('email_throttle_window_start_idx').on(t.windowStart)],
);

/**
 * Consecutive failed logins per normalised login name, whether or not such a user exists,
 * so throttling reveals nothing. Rows are pruned once stale.
 */
export const loginThrottle = sqliteTable(
  'login_throttle',
  {
    key: text('key').primaryKey(),
    failures: integer('failures').notNull(),
    blockedUntil: integer('blocked_until').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('login_throttle_updated_at_idx').on(t.updatedAt)],
);

/**
 * The audit trail: one row per security event, written in the same D1 batch as the change it
 * records (src/services/audit/). No foreign keys: events outlive the user (erasure strips their
 * IP and user agent). Ids are UUIDv7, so `since`/`until` become id bounds and every listing is a
 * keyset range over the primary key or one of the indexes.
 */
export const auditEvents = sqliteTable(
  'audit_events',
  {
    id: text('id').primaryKey(),
    at: integer('at').notNull(),
    event: text('event').notNull(),
    actorUuid: text('actor_uuid'),
    subjectUuid: text('subject_uuid'),
    ip: text('ip'),
    userAgent: text('user_agent'),
    country: text('country'),
    clientId: text('client_id'),
    /** JSON object of non-secret context (old and new role, why a login failed, how many sessions). */
    detail: text('detail'),
  },
  (t) => [index('audit_events_subject_idx').on(t.subjectUuid, t.id), index('audit_events_event_idx').on(t.event, t.id)],
);

/**
 * Usernames of erased users, retired for RETIRED_USERNAME_DAYS so nobody takes over a name
 * others still associate with them. Only an HMAC of the name's key is stored (keyed with a
 * secret), so the table does not list who left.
 */
export const retiredUsernames = sqliteTable(
  'retired_usernames',
  {
    keyHash: text('key_hash').primaryKey(),
    retiredUntil: integer('retired_until').notNull(),
  },
  (t) => [index('retired_usernames_until_idx').on(t.retiredUntil)],
);

/** An organization (SPEC "Organizations and third-party clients"): users join it as `member` or `admin`. */
export const organizations = sqliteTable('organizations', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
});

/**
 * A third-party client of an organization, with its one API key: stored only as SHA-256
 * (`key_hash`) plus the first characters (`key_prefix`) to tell keys apart in listings.
 * `last_used_at` moves at most once a minute; `revoked_at` ends the key and its sessions.
 */
export const clients = sqliteTable(
  'clients',
  {
    id: text('id').primaryKey(),
    organizationId: text('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    keyHash: text('key_hash').notNull(),
    keyPrefix: text('key_prefix').notNull(),
    createdAt: integer('created_at').notNull(),
    lastUsedAt: integer('last_used_at'),
    revokedAt: integer('revoked_at'),
  },
  (t) => [uniqueIndex('clients_key_hash_unique').on(t.keyHash), index('clients_organization_id_idx').on(t.organizationId, t.id)],
);

/**
 * Invitations to an organization, by email: the token by SHA-256 only (the email tokens' rules:
 * single use with a winner mark, here for 7 days), bound to the invited address.
 */
export const invitations = sqliteTable(
  'invitations',
  {
    hash: text('hash').primaryKey(),
    organizationId: text('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    emailKey: text('email_key').notNull(),
    role: text('role', { enum: ['member', 'admin'] }).notNull(),
    invitedBy: text('invited_by').notNull(),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    usedAt: integer('used_at'),
    usedBy: text('used_by'),
  },
  (t) => [index('invitations_organization_id_idx').on(t.organizationId), index('invitations_expires_at_idx').on(t.expiresAt)],
);

/** Every kind of event the trail records (SPEC "Audit trail"); the README lists them. */
export const AUDIT_EVENTS = [
  'user.signed_up',
  'login.succeeded',
  'login.failed',
  'session.reuse_detected',
  'session.revoked',
  'password.changed',
  'user.role_changed',
  'user.disabled',
  'user.enabled',
  'user.deleted',
  'photo.reviewed',
  'mfa.enabled',
  'mfa.disabled',
  'mfa.recovery_code_used',
  'mfa.recovery_codes_regenerated',
  'mfa.reset',
  'password.reset_requested',
  'password.reset',
  'email.verified',
  'email.changed',
  'org.created',
  'org.renamed',
  'org.deleted',
  'org.member_set',
  'org.member_removed',
  'org.invited',
  'org.invitation_accepted',
  'client.created',
  'client.revoked',
] as const;
export type AuditEventName = (typeof AUDIT_EVENTS)[number];
export type AuditEventRow = typeof auditEvents.$inferSelect;
export type UserRow = typeof users.$inferSelect;
/** A user without the password hash: what every read selects except the password checks. */
export type User = Omit<UserRow, 'passwordHash'>;
const { passwordHash: _hash, ...columnsWithoutHash } = getTableColumns(users);
/**
 * The columns of `User`, for `select(userColumns)` and `returning(userColumns)`: the hash stays
 * in D1 unless a password is being checked (login, password change), so no other code path
 * holds it in memory or could leak it.
 */
export const userColumns = columnsWithoutHash;
export type LoginRow = typeof logins.$inferSelect;
export type SessionRow = typeof sessions.$inferSelect;
export type PhotoRow = typeof photos.$inferSelect;
export const ROLES = ['normal', 'celebrity', 'admin'] as const;
export const ORG_ROLES = ['member', 'admin'] as const;
export type OrgRole = (typeof ORG_ROLES)[number];
export type OrganizationRow = typeof organizations.$inferSelect;
export type ClientRow = typeof clients.$inferSelect;
export type Role = (typeof ROLES)[number];
