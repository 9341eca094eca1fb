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

export type RevocationReason = 'logout' | 'session_revoked' | 'logout_everywhere' | 'password_changed' | 'role_changed' | 'disabled' | 'deleted' | 'refresh_token_reuse';

export function revocationTtl(accessTokenTtlSeconds: number): number {
  return Math.max(KV_MIN_TTL_SECONDS, accessTokenTtlSeconds);
}

/** Writes one record per session (each key written once: KV allows ~1 write/s per key). */
export async function recordRevocations(
  kv: KVNamespace,
  sessionIds: string[],
  reason: RevocationReason,
  accessTokenTtlSeconds: number,
  now: number,
): Promise<void> {
  const expirationTtl = revocationTtl(accessTokenTtlSeconds);
  const value = JSON.stringify({ revoked_at: new Date(now).toISOString(), reason });
  await Promise.all(sessionIds.map((id) => kv.put(`${REVOKED_SESSION_PREFIX}${id}`, value, { expirationTtl })));
}
