import { type SQL, sql } from 'drizzle-orm';
import { refreshTokens, sessions } from '../../db/schema';
import { runBatch, type Statement } from '../../db/statement';
import { verifyAccessToken } from '../../lib/jwt';
import type { Deps } from '../../deps';
import { auditWrite } from '../audit/events';
import { exportEvents } from '../audit/export';
import { recordRevocations, type RevokedSession } from '../revocation';
import { refreshHashOf, revokeByRefreshHash, revokedHere, revokeSessionsUnguarded } from '../sessions/statements';
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
  let session: string | SQL | undefined;
  let subject: string | SQL | undefined;
  if (input.token.split('.').length === 3) {
    const claims = await verifyAccessToken(tokenSettings(config), input.token, now).catch(() => undefined);
    if (claims) {
      statement = revokeSessionsUnguarded(db, { userUuid: claims.sub, sessionId: claims.sid }, now);
      session = claims.sid;
      subject = claims.sub;
    }
  } else {
    const hash = await refreshHashOf(input.token);
    if (hash) {
      statement = revokeByRefreshHash(db, hash, now);
      session = sql`(select ${refreshTokens.sessionId} from ${refreshTokens} where ${refreshTokens.hash} = ${hash})`;
      subject = sql`(select ${sessions.userUuid} from ${sessions} where ${sessions.id} = ${session})`;
    }
  }
  if (!statement || !session || !subject) return;
  const { revoked, event } = await runBatch(db, {
    revoked: statement,
    event: auditWrite(deps, now, {
      event: 'session.revoked',
      actor: subject,
      subject,
      detail: { reason: 'logout', session },
      when: revokedHere(subject, now, session),
    }),
  });
  await recordRevocations(deps.kv, revoked, 'logout', config.ACCESS_TOKEN_TTL_SECONDS, now);
  exportEvents(deps, event);
}
