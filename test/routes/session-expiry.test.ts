import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { get, patch } from '../helpers/api';
import { signedIn } from '../helpers/factories';
import { expectUnauthorized } from '../helpers/problems';
import { sidOf } from '../helpers/jwt';

const expire = (sid: string, column: 'expires_at' | 'absolute_expires_at') =>
  env.DB.prepare(`update sessions set ${column} = ? where id = ?`)
    .bind(Date.now() - 1000, sid)
    .run();

/**
 * A session's sliding and absolute expiry bound its access tokens too (SPEC "Tokens and
 * sessions"): one live-session rule for the caller query and the write guards.
 */
describe('an access token on an expired session', () => {
  for (const column of ['expires_at', 'absolute_expires_at'] as const) {
    it(`is 401 once the session's ${column} has passed, although the token itself has not expired`, async () => {
      const user = await signedIn();
      expect((await get('/user/me', { token: user.access })).status).toBe(200);
      await expire(sidOf(user.access), column);
      await expectUnauthorized(await get('/user/me', { token: user.access }), true);
    });
  }

  it('changes nothing through a guarded write either', async () => {
    const user = await signedIn();
    await expire(sidOf(user.access), 'expires_at');
    await expectUnauthorized(await patch('/user/me', { token: user.access, json: { city: 'Nowhere' } }), true);
    expect((await env.DB.prepare('select city from users where uuid = ?').bind(user.uuid).first<{ city: string | null }>())!.city).toBeNull();
  });
});
