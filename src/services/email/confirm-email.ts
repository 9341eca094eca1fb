import { and, sql } from 'drizzle-orm';
import { emailTokens, users } from '../../db/schema';
import { read, runBatch, write } from '../../db/statement';
import type { Deps } from '../../deps';
import { auditWrite } from '../audit/events';
import { exportEvents } from '../audit/export';
import { conflictFrom } from '../users/statements';
import { changedNotice } from './messages';
import { badEmailToken } from './reset-password';
import { sendLater } from './send';
import { consumeToken, emailTokenHash, useMark, voidTokensQuery, wonBy } from './statements';

/** What a confirmed link did. */
export type Confirmed = { kind: 'verified'; userUuid: string } | { kind: 'changed'; userUuid: string };

/**
 * POST /email/verify: a verification or an email change, in one D1 batch. The token is consumed by
 * a compare-and-swap that records this request's mark; only where that mark won does the batch
 *  - verification: set `email_verified`, if the address is still the one the link went to;
 *  - email change: set the new address (verified), void every other outstanding token of the user
 *    (links sent to the old address die with it), read the old address for its notice.
 * A UNIQUE violation (the address was taken meanwhile) rolls the whole batch back: 409, and the
 * token stays unused. Each with its event.
 */
export async function confirmEmail(deps: Deps, input: { token: string }): Promise<Confirmed> {
  const { db } = deps;
  const hash = await emailTokenHash(input.token);
  if (!hash) throw badEmailToken();
  const now = deps.now();
  const mark = useMark();
  const token = sql`(select ${emailTokens.userUuid} from ${emailTokens} where ${emailTokens.hash} = ${hash} and ${emailTokens.usedBy} = ${mark})`;
  const tokenColumn = (column: typeof emailTokens.email | typeof emailTokens.emailKey) =>
    sql`(select ${column} from ${emailTokens} where ${emailTokens.hash} = ${hash})`;
  const matchesAddress = sql`${users.emailKey} = ${tokenColumn(emailTokens.emailKey)}`;
  const rows = await runBatch(db, {
    consumed: consumeToken(db, hash, ['verify', 'change'], mark, now),
    before: read(db.select({ email: users.email }).from(users).where(sql`${users.uuid} = ${token}`)),
    verified: write(
      db
        .update(users)
        .set({ emailVerified: true, updatedAt: now })
        .where(and(sql`${users.uuid} = ${token}`, wonBy(hash, mark, 'verify'), matchesAddress))
        .returning({ uuid: users.uuid }),
    ),
    changed: write(
      db
        .update(users)
        .set({ email: tokenColumn(emailTokens.email), emailKey: tokenColumn(emailTokens.emailKey), emailVerified: true, updatedAt: now })
        .where(and(sql`${users.uuid} = ${token}`, wonBy(hash, mark, 'change')))
        .returning({ uuid: users.uuid, email: users.email }),
    ),
    voided: write(voidTokensQuery(db, token, ['verify', 'reset', 'change'], now, wonBy(hash, mark, 'change'))),
    verifiedEvent: auditWrite(deps, now, {
      event: 'email.verified',
      actor: token,
      subject: token,
      when: and(wonBy(hash, mark, 'verify'), sql`exists (select 1 from ${users} where ${users.uuid} = ${token} and ${matchesAddress})`)!,
    }),
    changedEvent: auditWrite(deps, now, { event: 'email.changed', actor: token, subject: token, when: wonBy(hash, mark, 'change') }),
  }).catch((err: unknown) => {
    throw conflictFrom(err) ?? err;
  });
  const used = rows.consumed[0];
  exportEvents(deps, [...rows.verifiedEvent, ...rows.changedEvent]);
  const changed = rows.changed[0];
  if (used && changed) {
    const old = rows.before[0];
    if (old) sendLater(deps, 'email_changed', changedNotice(deps.config, old.email, changed.email));
    return { kind: 'changed', userUuid: changed.uuid };
  }
  const verified = rows.verified[0];
  if (used && verified) return { kind: 'verified', userUuid: verified.uuid };
  throw badEmailToken();
}
