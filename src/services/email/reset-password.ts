import { and, eq, isNull, sql } from 'drizzle-orm';
import { emailTokens, sessions, users } from '../../db/schema';
import { read, runBatch, write } from '../../db/statement';
import type { Deps } from '../../deps';
import { ApiError } from '../../lib/problem';
import { auditWrite } from '../audit/events';
import { exportEvents } from '../audit/export';
import { recordRevocations } from '../revocation';
import { revokedCount } from '../sessions/statements';
import { assertPasswordAllowed } from '../users/password-rules';
import { bumpStamp } from '../users/statements';
import { resetDoneNotice } from './messages';
import { sendLater } from './send';
import { consumeToken, emailTokenHash, pendingReset, useMark, voidTokensQuery, wonBy } from './statements';

/** The one answer to an unknown, used, expired or wrong-purpose token, whatever the route. */
export const badEmailToken = () => new ApiError('email_token_invalid', 'The link is invalid, was used already or has expired; ask for a new one');

/**
 * POST /password/reset, in two round trips around PBKDF2 (like a password change):
 *  1. the reset token's user, while the token is usable (the policy needs their details);
 *  2. after the policy and the hash: the token consumed by a compare-and-swap that records this
 *     request's mark, and only where that mark won: the new hash, the security stamp moved on (a
 *     grant in flight opens nothing), the address verified (the link reached it), every session
 *     revoked, every other reset token voided, the `password.reset` event.
 * Then the revocation records, and a notice to the address after the response.
 */
export async function resetPassword(deps: Deps, input: { token: string; newPassword: string }): Promise<void> {
  const { db, config } = deps;
  const hash = await emailTokenHash(input.token);
  if (!hash) throw badEmailToken();
  const now = deps.now();
  const { pending } = await runBatch(db, { pending: read(pendingReset(db, hash, now)) });
  const user = pending[0];
  if (!user) throw badEmailToken();
  await assertPasswordAllowed(deps, input.newPassword, user, 'new_password');
  const passwordHash = await deps.passwords.hash(input.newPassword);
  const mark = useMark();
  const won = wonBy(hash, mark, 'reset');
  const rows = await runBatch(db, {
    consumed: consumeToken(db, hash, ['reset'], mark, now),
    changed: write(
      db
        .update(users)
        .set({
          passwordHash,
          securityStamp: bumpStamp,
          emailVerified: sql`case when ${users.emailKey} = (select ${emailTokens.emailKey} from ${emailTokens} where ${emailTokens.hash} = ${hash}) then 1 else ${users.emailVerified} end`,
          updatedAt: now,
        })
        .where(and(eq(users.uuid, user.uuid), won)),
    ),
    revoked: write(
      db
        .update(sessions)
        .set({ revokedAt: now })
        .where(and(eq(sessions.userUuid, user.uuid), isNull(sessions.revokedAt), won))
        .returning({ id: sessions.id, lastUsedAt: sessions.lastUsedAt }),
    ),
    voided: write(voidTokensQuery(db, user.uuid, ['reset'], now, won)),
    event: auditWrite(deps, now, {
      event: 'password.reset',
      actor: user.uuid,
      subject: user.uuid,
      detail: { sessions_revoked: revokedCount(user.uuid, now) },
      when: won,
    }),
  });
  if (rows.consumed.length === 0) throw badEmailToken();
  await recordRevocations(deps.kv, rows.revoked, 'password_reset', config.ACCESS_TOKEN_TTL_SECONDS, now);
  exportEvents(deps, rows.event);
  sendLater(deps, 'reset_done', resetDoneNotice(config, user.email));
}
