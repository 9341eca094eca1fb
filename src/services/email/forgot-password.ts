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
 * POST /password/forgot: nothing that depends on the address happens before the answer, so the
 * answer (status, body, headers) and its time tell nothing. Before it: the per-IP limit and the
 * address's count (one write, the same for every address; the sixth message in the window is a
 * 429 for known and unknown alike). After it (`deps.defer`, the request's waitUntil): one batch
 * that voids the older reset tokens, inserts a new one (hashed) for the enabled user of that
 * address if any and if within the limit, with its `password.reset_requested` event, and then the
 * message. An address that belongs to nobody runs the same deferred statements and changes
 * nothing. (Writing the token before answering made known addresses measurably slower.)
 */
export async function forgotPassword(deps: Deps, input: { email: string }): Promise<void> {
  const { db } = deps;
  await assertIpMayEmail(deps);
  const key = emailKey(input.email);
  const throttle = throttleKeyFor('forgot', key);
  const now = deps.now();
  const { counted } = await runBatch(db, { counted: countMessage(db, throttle, now) });
  assertAddressMayEmail(counted, now);
  deps.defer(
    issueResetToken(deps, key, throttle, now).catch((err: unknown) => {
      console.error(JSON.stringify({ level: 'error', requestId: deps.requestId, error: 'reset_token_failed', name: (err as Error | undefined)?.name }));
    }),
  );
}

/** The deferred half: the token, its event and the message, where the address has an enabled user. */
async function issueResetToken(deps: Deps, key: string, throttle: string, now: number): Promise<void> {
  const { db } = deps;
  const { token, hash } = await newEmailToken();
  const owner = sql`(select ${users.uuid} from ${users} where ${users.emailKey} = ${key})`;
  const rows = await runBatch(db, {
    voided: write(voidTokensQuery(db, owner, ['reset'], now, withinLimit(throttle))),
    token: write(insertTokenQuery(db, { hash, purpose: 'reset', now }, sql`${users.emailKey} = ${key} and ${users.disabled} = 0`, withinLimit(throttle))),
    event: auditWrite(deps, now, {
      event: 'password.reset_requested',
      subject: sql`(select ${emailTokens.userUuid} from ${emailTokens} where ${emailTokens.hash} = ${hash})`,
      when: sql`exists (select 1 from ${emailTokens} where ${eq(emailTokens.hash, hash)})`,
    }),
  });
  exportEvents(deps, rows.event);
  const made = rows.token[0];
  if (made) sendLater(deps, 'reset', resetMessage(deps.config, made.email, token));
}
