import { runBatch, type Statement } from '../../db/statement';
import { verifyAccessToken } from '../../lib/jwt';
import type { Deps } from '../../deps';
import { recordRevocations, type RevokedSession } from '../revocation';
import { refreshHashOf, revokeByRefreshHash, revokeSessionsUnguarded } from '../sessions/statements';
import { tokenSettings } from './access-token';

/**
 * RFC 7009 logout: revokes the session of a refresh token (current or already rotated), or of
 * an access token when one is given. The hint is optional and only a hint (§2.1): an access
 * token is a JWS (three parts), a refresh token opaque base64url without dots. Whether anything
 * was revoked is not told (§2.2), so it cannot be used to probe tokens.
 */
export async function revokeToken(deps: Deps, input: { token: string }): Promise<void> {
  const { db, config } = deps;
  const now = deps.now();
  let statement: Statement<RevokedSession[], 'write'> | undefined;
  if (input.token.split('.').length === 3) {
    const claims = await verifyAccessToken(tokenSettings(config), input.token, now).catch(() => undefined);
    if (claims) statement = revokeSessionsUnguarded(db, { userUuid: claims.sub, sessionId: claims.sid }, now);
  } else {
    const hash = await refreshHashOf(input.token);
    if (hash) statement = revokeByRefreshHash(db, hash, now);
  }
  if (!statement) return;
  const { revoked } = await runBatch(db, { revoked: statement });
  await recordRevocations(deps.kv, revoked, 'logout', config.ACCESS_TOKEN_TTL_SECONDS, now);
}
