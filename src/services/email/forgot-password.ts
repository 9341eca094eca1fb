import { eq, sql } from 'drizzle-orm';
import { emailTokens, users } from '../../db/schema';
import { runBatch, write } from '../../db/statement';
import type { Deps } from '../../deps';
import { emailKey } from '../../lib/text';
import { auditWrite } from '../audit/events';
import { exportEvents } from '../audit/export';
import { assertAddressMayEmail, assertIpMayEmail } from './limits';
import { resetMessage } from './messages';
import { sendLater } from './send';
import { countMessage, insertTokenQuery, newEmailToken, throttleKeyFor, voidTokensQuery, withinLimit } from './statements';

/**
 * POST /password/forgot: the same work whether or not the address belongs to anyone, so the
 * answer (status, body, headers) and its time tell nothing. The per-IP limit; then one D1 batch
 * whose statements are identical for both: the address's count, the older reset tokens voided,
 * a new token (hashed) inserted for the enabled user of that address if any and if within the
 * limit, and its `password.reset_requested` event where it was. The message is sent after the
 * response, only when a token was made.
 */
export async function forgotPassword(deps: Deps, input: { email: string }): Promise<void> {
  const { db } = deps;
  await assertIpMayEmail(deps);
  const key = emailKey(input.email);
  const throttle = throttleKeyFor('forgot', key);
  const now = deps.now();
  const { token, hash } = await newEmailToken();
  const owner = sql`(select ${users.uuid} from ${users} where ${users.emailKey} = ${key})`;
  const rows = await runBatch(db, {
    counted: countMessage(db, throttle, now),
    voided: write(voidTokensQuery(db, owner, ['reset'], now, withinLimit(throttle))),
    token: write(insertTokenQuery(db, { hash, purpose: 'reset', now }, sql`${users.emailKey} = ${key} and ${users.disabled} = 0`, withinLimit(throttle))),
    event: auditWrite(deps, now, {
      event: 'password.reset_requested',
      subject: sql`(select ${emailTokens.userUuid} from ${emailTokens} where ${emailTokens.hash} = ${hash})`,
      when: sql`exists (select 1 from ${emailTokens} where ${eq(emailTokens.hash, hash)})`,
    }),
  });
  assertAddressMayEmail(rows.counted, now);
  exportEvents(deps, rows.event);
  const made = rows.token[0];
  if (made) sendLater(deps, 'reset', resetMessage(deps.config, made.email, token));
}
