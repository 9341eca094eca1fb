import { and, eq, sql } from 'drizzle-orm';
import { users } from '../../db/schema';
import type { Deps } from '../../deps';
import { ApiError } from '../../lib/problem';
import { type Access, withCaller } from '../../policy/caller';
import { guarded } from '../../policy/guard';
import { assertAddressMayEmail, assertIpMayEmail } from './limits';
import { verificationMessage } from './messages';
import { sendLater } from './send';
import { countMessageGuarded, insertTokenQuery, newEmailToken, throttleKeyFor, voidTokensQuery, withinLimit } from './statements';

/**
 * POST /user/me/email/verification: a new verification link for the caller's address, in the
 * caller batch (one round trip): the per-user count, the older verification tokens voided and a new
 * one inserted, both only while the address is unverified and within the limit, all under the
 * caller's guard. `409` when the address is verified already; the message goes after the response.
 */
export async function resendVerification(deps: Deps, access: Access): Promise<void> {
  const { db } = deps;
  await assertIpMayEmail(deps);
  const me = access.claims.sub;
  const throttle = throttleKeyFor('resend', me);
  const now = deps.now();
  const { token, hash } = await newEmailToken();
  const unverified = sql`exists (select 1 from ${users} where ${users.uuid} = ${me} and ${users.emailVerified} = 0)`;
  const { caller, rows } = await withCaller(deps, access, {
    writes: (may) => ({
      counted: countMessageGuarded(db, throttle, now, may.route),
      voided: guarded(may.route, (g) => voidTokensQuery(db, me, ['verify'], now, and(g, unverified, withinLimit(throttle))!)),
      token: guarded(may.route, (g) =>
        insertTokenQuery(db, { hash, purpose: 'verify', now }, and(eq(users.uuid, me), eq(users.emailVerified, false))!, and(g, withinLimit(throttle))!),
      ),
    }),
  });
  if (caller.emailVerified) throw new ApiError('email_already_verified', 'The email address is verified already');
  assertAddressMayEmail(rows.counted, now);
  const made = rows.token[0];
  if (made) sendLater(deps, 'verify', verificationMessage(deps.config, made.email, token));
}
