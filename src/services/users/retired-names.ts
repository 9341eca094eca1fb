import { sql } from 'drizzle-orm';
import type { Config } from '../../config';
import { ConfigError } from '../../config';
import type { Db } from '../../db/client';
import { retiredUsernames } from '../../db/schema';
import { hex, utf8 } from '../../lib/encoding';
import { usernameKey } from '../../lib/text';
import { type Guard, guarded } from '../../policy/guard';

const keys = new Map<string, Promise<CryptoKey>>();

/**
 * The HMAC-SHA-256 key for retired usernames: RETIRED_USERNAME_SECRET, or else the password
 * pepper or the signing key, which every deployment already keeps secret. Keyed, so the table
 * of retired names cannot be read back by hashing a list of usernames.
 */
function keyFor(config: Config): Promise<CryptoKey> {
  const secret = config.RETIRED_USERNAME_SECRET ?? config.PASSWORD_PEPPER ?? config.JWT_PRIVATE_KEY;
  if (!secret) throw new ConfigError('RETIRED_USERNAME_SECRET is not set (nor PASSWORD_PEPPER or JWT_PRIVATE_KEY)');
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey('raw', utf8(`userauth-retired-username:${secret}`), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    keys.set(secret, key);
  }
  return key;
}

/** The stored form of a username: HMAC of its case-folded key. */
export async function retiredKey(config: Config, username: string): Promise<string> {
  return hex(await crypto.subtle.sign('HMAC', await keyFor(config), utf8(usernameKey(username))));
}

/** SQL true unless the name is retired at `now`. */
export const notRetired = (key: string, now: number) =>
  sql`not exists (select 1 from ${retiredUsernames} where ${retiredUsernames.keyHash} = ${key} and ${retiredUsernames.retiredUntil} > ${now})`;

/** Retires a name until `until` (an erasure), under the caller's guard; a later erasure of the same name extends it. */
export const retireName = (db: Db, key: string, until: number, guard: Guard) =>
  guarded(guard, (may) =>
    db
      .insert(retiredUsernames)
      .select(sql`select ${key}, ${until} where ${may}`)
      .onConflictDoUpdate({ target: retiredUsernames.keyHash, set: { retiredUntil: sql`max(${retiredUsernames.retiredUntil}, excluded.retired_until)` } }),
  );
