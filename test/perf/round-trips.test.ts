import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import worker from '../../src/index';
import { body, buildRequest, get, post, type CallOptions } from '../helpers/api';
import { countingD1 } from '../helpers/d1-counter';
import { createUser, login, signedIn, type SignedIn } from '../helpers/factories';
import { PNG } from '../helpers/images';

/**
 * D1 round trips per route on its success path: at the edge each one can cross an ocean to the
 * primary. The budget is one, except where README.md ("Round trips") says why a route needs two.
 */
const counter = countingD1(env.DB);
const countedEnv = { ...env, DB: counter.db };

async function trips(method: string, path: string, init: CallOptions = {}) {
  const ctx = createExecutionContext();
  counter.reset();
  const res = await worker.fetch(buildRequest(method, path, init), countedEnv as never, ctx);
  await waitOnExecutionContext(ctx);
  expect(res.status, `${method} ${path}: ${await res.clone().text()}`).toBeLessThan(300);
  return { count: counter.count(), res };
}

let admin: SignedIn;
let user: SignedIn;
let loginId: string;

beforeAll(async () => {
  admin = await signedIn('admin');
  user = await signedIn();
  const logins = await body<{ items: { uuid: string }[] }>(await get('/user/me/logins', { token: user.access }));
  loginId = logins.items[0]!.uuid;
});

describe('D1 round trips per route', () => {
  const cases: [string, () => Promise<{ count: number }>, number][] = [
    ['GET /user/me', () => trips('GET', '/user/me', { token: user.access }), 1],
    ['GET /user (admin)', () => trips('GET', '/user?limit=5', { token: admin.access }), 1],
    ['GET /user?role=normal', () => trips('GET', '/user?role=normal', { token: admin.access }), 1],
    ['GET /user/{uuid}', () => trips('GET', `/user/${user.uuid}`, { token: admin.access }), 1],
    ['PATCH /user/me', () => trips('PATCH', '/user/me', { token: user.access, json: { city: 'Lisbon' } }), 1],
    ['GET /user/me/logins', () => trips('GET', '/user/me/logins', { token: user.access }), 1],
    ['GET /user/{uuid}/logins', () => trips('GET', `/user/${user.uuid}/logins`, { token: admin.access }), 1],
    ['GET /logins (admin)', () => trips('GET', '/logins', { token: admin.access }), 1],
    ['GET /logins/{id}', () => trips('GET', `/logins/${loginId}`, { token: user.access }), 1],
    ['GET /user/me/logins/{id}', () => trips('GET', `/user/me/logins/${loginId}`, { token: user.access }), 1],
    ['GET /user/{uuid}/logins/{id}', () => trips('GET', `/user/${user.uuid}/logins/${loginId}`, { token: admin.access }), 1],
    ['GET /user/me/sessions', () => trips('GET', '/user/me/sessions', { token: user.access }), 1],
    ['GET /roles', () => trips('GET', '/roles', { token: user.access }), 1],
    ['GET /photos (admin)', () => trips('GET', '/photos?status=pending', { token: admin.access }), 1],
    ['GET /', () => trips('GET', '/'), 0],
    ['GET /health', () => trips('GET', '/health'), 0],
    ['GET /health?deep=1', () => trips('GET', '/health?deep=1'), 1],
    ['GET /.well-known/jwks.json', () => trips('GET', '/.well-known/jwks.json'), 0],
  ];
  for (const [name, run, budget] of cases) {
    it(`${name} makes ${budget}`, async () => {
      expect((await run()).count).toBe(budget);
    });
  }

  it('POST /user (sign-up) makes 1', async () => {
    const name = `rt${crypto.randomUUID().slice(0, 8)}`;
    const { count } = await trips('POST', '/user', { json: { username: name, email: `${name}@example.com`, password: 'a long and unusual passphrase', name: 'R', surname: 'T' } });
    expect(count).toBe(1);
  });

  it('POST /token (password grant) makes 2: the read, then the writes once PBKDF2 has run', async () => {
    const other = await createUser();
    expect((await trips('POST', '/token', { form: { grant_type: 'password', username: other.username, password: other.password } })).count).toBe(2);
  });

  it('POST /token (refresh grant) makes 1', async () => {
    const { refresh } = await login(user);
    expect((await trips('POST', '/token', { form: { grant_type: 'refresh_token', refresh_token: refresh } })).count).toBe(1);
  });

  it('POST /token/revoke makes 1', async () => {
    const { refresh } = await login(user);
    expect((await trips('POST', '/token/revoke', { form: { token: refresh } })).count).toBe(1);
  });

  it('PATCH /user/{uuid} with a role change makes 1, sessions revoked in the same batch', async () => {
    const target = await signedIn();
    expect((await trips('PATCH', `/user/${target.uuid}`, { token: admin.access, json: { role: 'celebrity' } })).count).toBe(1);
  });

  it('DELETE /user/me/sessions/{id} and DELETE /user/{uuid}/sessions make 1', async () => {
    const target = await signedIn();
    const sessions = await body<{ items: { id: string; current: boolean }[] }>(await get('/user/me/sessions', { token: target.access }));
    const other = await login(target);
    expect((await trips('DELETE', `/user/me/sessions/${sessions.items[0]!.id}`, { token: other.access })).count).toBe(1);
    expect((await trips('DELETE', `/user/${target.uuid}/sessions`, { token: admin.access })).count).toBe(1);
  });

  it('PUT /user/me/password makes 2: caller and attempt count, then the write after PBKDF2', async () => {
    const target = await signedIn();
    const res = await trips('PUT', '/user/me/password', { token: target.access, json: { current_password: target.password, new_password: 'another long unusual passphrase' } });
    expect(res.count).toBe(2);
  });

  it('photos: upload 2 (caller before R2), show 1, approve 1, delete 1, erase user 2 (caller before R2)', async () => {
    const target = await signedIn();
    const form = new FormData();
    form.set('file', new File([PNG], 'me.png', { type: 'image/png' }));
    const upload = await trips('POST', `/user/${target.uuid}/validate_photo`, { token: target.access, body: form });
    expect(upload.count).toBe(2);
    const photo = await body<{ id: string }>(upload.res);
    expect((await trips('GET', `/user/${target.uuid}/photo`, { token: target.access })).count).toBe(1);
    expect((await trips('POST', `/photos/${photo.id}/approve`, { token: admin.access })).count).toBe(1);
    expect((await trips('DELETE', `/user/${target.uuid}/photo`, { token: target.access })).count).toBe(1);
    expect((await trips('DELETE', '/user/me', { token: target.access })).count).toBe(2);
  });

  it('POST /photos/{id}/reject makes 1', async () => {
    const target = await signedIn();
    const form = new FormData();
    form.set('file', new File([PNG], 'me.png', { type: 'image/png' }));
    const up = await post(`/user/${target.uuid}/validate_photo`, { token: target.access, body: form });
    const photo = await body<{ id: string }>(up);
    expect((await trips('POST', `/photos/${photo.id}/reject`, { token: admin.access })).count).toBe(1);
  });
});
