import { sql } from 'drizzle-orm';
import { clients, type User, userColumns, users } from '../../db/schema';
import { runBatch, write } from '../../db/statement';
import { uuidv7 } from '../../lib/ids';
import { tooMany } from '../../lib/problem';
import { emailKey, usernameKey } from '../../lib/text';
import type { Deps } from '../../deps';
import { assertHuman } from '../captcha';
import { IP_LIMIT_PERIOD_SECONDS, withinIpLimit } from '../ip-limits';
import { assertPasswordAllowed } from './password-rules';
import { auditWrite } from '../audit/events';
import { exportEvents } from '../audit/export';
import { notRetired, retiredKey } from './retired-names';
import { conflictFrom, usernameTaken } from './statements';
import { verificationMessage } from '../email/messages';
import { sendLater } from '../email/send';
import { insertTokenQuery, newEmailToken } from '../email/statements';

export interface NewUser {
  username: string;
  email: string;
  password: string;
  name: string;
  surname: string;
  city?: string;
  organization?: string;
  designation?: string;
  mobile?: string;
}

/**
 * Signs a user up with role `normal`: the captcha when Turnstile is configured, the per-IP
 * limit, the password policy, PBKDF2, then one INSERT … RETURNING whose unique indexes decide
 * username and email conflicts (409), with the verification link's token in the same batch; the
 * verification message goes after the response.
 */
export async function signUp(deps: Deps, input: NewUser, captcha?: string): Promise<User> {
  await assertHuman(deps, captcha);
  if (!(await withinIpLimit(deps, 'signup'))) {
    throw tooMany('rate_limited', 'Too many sign-ups from this address; try again later', IP_LIMIT_PERIOD_SECONDS * 1000);
  }
  await assertPasswordAllowed(deps, input.password, input);
  const passwordHash = await deps.passwords.hash(input.password);
  const now = deps.now();
  const uuid = uuidv7(now);
  const retired = await retiredKey(deps.config, input.username);
  // Made with an X-API-Key: a member of the key's client's organization. The key is checked by
  // the first statement of this same batch (src/services/clients/api-key.ts), so it is active here.
  const key = deps.apiKey?.hash;
  const clientOrg = sql`(select ${clients.organizationId} from ${clients} where ${clients.keyHash} = ${key ?? null} and ${clients.revokedAt} is null)`;
  const membership = key ? { org: clientOrg, role: sql`case when ${clientOrg} is null then null else 'member' end` } : { org: sql`null`, role: sql`null` };
  // insert … select, columns in table order: nothing is inserted while the name is retired.
  const insert = deps.db
    .insert(users)
    .select(
      sql`select ${uuid}, ${input.username}, ${usernameKey(input.username)}, ${input.email}, ${emailKey(input.email)}, ${input.name}, ${input.surname}, ${input.city ?? null}, ${input.organization ?? null}, ${input.designation ?? null}, ${input.mobile ?? null}, 'normal', 0, ${passwordHash}, ${now}, ${now}, null, 0, 0, 0, ${membership.org}, ${membership.role} where ${notRetired(retired, now)}`,
    )
    .returning(userColumns);
  const verification = await newEmailToken();
  const rows = await runBatch(deps.db, {
    created: write(insert),
    // The verification link's token, with the user (nothing when the insert made no user).
    verification: write(insertTokenQuery(deps.db, { hash: verification.hash, purpose: 'verify', now }, sql`${users.uuid} = ${uuid}`, sql`1`)),
    event: auditWrite(deps, now, {
      event: 'user.signed_up',
      actor: uuid,
      subject: uuid,
      when: sql`exists (select 1 from ${users} where ${users.uuid} = ${uuid})`,
    }),
  }).catch((err: unknown) => {
    throw conflictFrom(err) ?? err;
  });
  const user = rows.created[0];
  // A retired name answers exactly like a taken one: nobody learns that its owner left.
  if (!user) throw usernameTaken();
  exportEvents(deps, rows.event);
  sendLater(deps, 'verify', verificationMessage(deps.config, user.email, verification.token));
  return user;
}
