import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { getDb } from '../../src/db/client';
import { callerQuery } from '../../src/services/caller';
import { findByLogin, findUserQuery, passwordHashQuery, usersPageQuery } from '../../src/services/users';

// The password hash leaves D1 only where a password is checked: the password grant (findByLogin)
// and the password change (passwordHashQuery). Every other read of users selects without it, so
// no other code path holds a hash it could log or leak.

const db = () => getDb(env.DB);
const selects = (q: { toSQL(): { sql: string } }) => q.toSQL().sql.split(' from ')[0]!;

describe('reads of users', () => {
  it('select no password hash for the caller, one user or a page of users', () => {
    for (const q of [callerQuery(db(), { sub: 'u', sid: 's' }), findUserQuery(db(), 'u'), usersPageQuery(db(), { limit: 20 })]) {
      expect(selects(q)).toContain('"username"');
      expect(selects(q)).not.toContain('password_hash');
    }
  });

  it('select it only to check a password', () => {
    expect(selects(findByLogin(db(), 'someone'))).toContain('password_hash');
    expect(selects(passwordHashQuery(db(), 'u'))).toContain('password_hash');
  });
});
