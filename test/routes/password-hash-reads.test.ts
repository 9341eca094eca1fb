import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import worker from '../../src/index';
import { buildRequest, type CallOptions } from '../helpers/api';
import { countingD1 } from '../helpers/d1-counter';
import { signedIn, type SignedIn } from '../helpers/factories';

// The password hash leaves D1 only where a password is checked: the password grant and
// PUT /user/me/password. Every other route reads users without it, so no other code path holds
// a hash it could log or leak. Checked on the SQL each route actually sends to D1.

const d1 = countingD1(env.DB);
const recordedEnv = { ...env, DB: d1.db };

/** The columns a statement reads back: its select list and its RETURNING clause. */
function readColumns(sql: string): string {
  const s = sql.toLowerCase();
  const selected = s.startsWith('select') ? s.split(' from ')[0]! : '';
  const at = s.indexOf(' returning ');
  return selected + (at >= 0 ? s.slice(at) : '');
}

/** Calls a route on the recorded binding; what its statements read back, joined. */
async function reads(method: string, path: string, init: CallOptions = {}): Promise<string> {
  const ctx = createExecutionContext();
  d1.reset();
  const res = await worker.fetch(buildRequest(method, path, init), recordedEnv as never, ctx);
  await waitOnExecutionContext(ctx);
  expect(res.status, `${method} ${path}: ${await res.clone().text()}`).toBeLessThan(300);
  expect(d1.queries().length).toBeGreaterThan(0);
  return d1.queries().map(readColumns).join('\n');
}

let admin: SignedIn;
let user: SignedIn;

beforeAll(async () => {
  admin = await signedIn('admin');
  user = await signedIn();
});

describe('reads of the password hash', () => {
  it('none on routes that check no password', async () => {
    const suffix = crypto.randomUUID().slice(0, 8);
    const routes: [string, string, CallOptions][] = [
      ['GET', '/user/me', { token: user.access }],
      ['GET', `/user/${user.uuid}`, { token: admin.access }],
      ['GET', '/user?limit=5', { token: admin.access }],
      ['PATCH', '/user/me', { token: user.access, json: { city: 'Lisbon' } }],
      ['GET', '/user/me/logins', { token: user.access }],
      ['POST', '/user', { json: { username: `h${suffix}`, email: `h${suffix}@example.com`, password: user.password, name: 'Hash', surname: 'Free' } }],
    ];
    for (const [method, path, init] of routes) {
      expect(await reads(method, path, init), `${method} ${path}`).not.toContain('password_hash');
    }
  });

  it('only where a password is checked: the password grant and the password change', async () => {
    const grant = await reads('POST', '/token', { form: { grant_type: 'password', username: user.username, password: user.password } });
    expect(grant).toContain('password_hash');
    const change = await reads('PUT', '/user/me/password', { token: user.access, json: { current_password: user.password, new_password: `${user.password} again` } });
    expect(change).toContain('password_hash');
  });
});
