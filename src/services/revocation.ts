/**
 * KV revocation records: `revoked-session:<session id>` → `{revoked_at, reason}`.
 *
 * This worker itself checks session state in D1 on every authenticated request (the same
 * read that loads the caller), so it never waits on KV. The records exist for other services
 * that verify our access tokens offline with the JWKS and want revocation too: they read this
 * key for the token's `sid`. Each record expires when the last access token it could refuse
 * has expired, so KV cleans itself.
 */
export const REVOKED_SESSION_PREFIX = 'revoked-session:';

/** KV refuses an expirationTtl below 60 seconds. */
export const KV_MIN_TTL_SECONDS = 60;

export type RevocationReason =
  | 'logout'
  | 'session_revoked'
  | 'logout_everywhere'
  | 'password_changed'
  | 'password_reset'
  | 'mfa_reset'
  | 'role_changed'
  | 'disabled'
  | 'deleted'
  | 'refresh_token_reuse'
  | 'session_limit'
  | 'client_revoked';

/** A session that was just revoked: its id and when its last access token was issued. */
export interface RevokedSession {
  id: string;
  /** Every access token is issued at a login or refresh, which both set `last_used_at`. */
  lastUsedAt: number;
}

/**
 * Seconds until the newest access token of a session expires, or 0 when none can still be
 * valid. Access tokens are signed with `iat = floor(issuedAt / 1000)` and `exp = iat + ttl`,
 * so `lastUsedAt + ttl` (rounded up) is never earlier than any of their `exp`. Clamped to
 * KV's 60-second minimum, which is the only case where a record outlives its last token.
 */
export function revocationTtl(lastUsedAt: number, accessTokenTtlSeconds: number, now: number): number {
  const remaining = Math.ceil((lastUsedAt + accessTokenTtlSeconds * 1000 - now) / 1000);
  return remaining <= 0 ? 0 : Math.max(KV_MIN_TTL_SECONDS, remaining);
}

/**
 * The value of a revocation record: `{"revoked_at":"<ISO time>","reason":"<reason>"}`. One
 * definition, because the admin CLI (scripts/admin-sql.ts) writes the same records through
 * `wrangler kv bulk put`, and services reading `revoked-session:<sid>` parse this format.
 */
export function revocationRecord(reason: RevocationReason, now: number): string {
  return JSON.stringify({ revoked_at: new Date(now).toISOString(), reason });
}

/**
 * Writes one record per revoked session that may still have an unexpired access token. A
 * session idle for longer than an access-token lifetime has none, so it needs no record:
 * this keeps "log out everywhere" to a few KV writes (KV's free plan allows 1,000 writes a
 * day and a Worker invocation 1,000 KV operations) however many idle sessions a user has.
 * Each key is written once (a session is revoked once), well under KV's 1 write/s per key.
 */
export async function recordRevocations(
  kv: KVNamespace,
  revoked: RevokedSession[],
  reason: RevocationReason,
  accessTokenTtlSeconds: number,
  now: number,
): Promise<void> {
  const value = revocationRecord(reason, now);
  await Promise.all(
    revoked.map((s) => {
      const expirationTtl = revocationTtl(s.lastUsedAt, accessTokenTtlSeconds, now);
      return expirationTtl > 0 ? kv.put(`${REVOKED_SESSION_PREFIX}${s.id}`, value, { expirationTtl }) : undefined;
    }),
  );
}
