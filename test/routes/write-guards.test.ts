import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { del, patch, post } from '../helpers/api';
import { login, signedIn } from '../helpers/factories';
import { pendingPhoto } from '../helpers/photos';

/**
 * Writes share a D1 batch with the caller check and are guarded in SQL by the caller's rights
 * (services/caller.ts). These prove a refused caller changes nothing, not just gets a 4xx.
 */
const row = (sql: string, ...values: unknown[]) =>
  env.DB.prepare(sql)
    .bind(...values)
    .first<Record<string, unknown>>();

describe('guarded writes', () => {
  it('a revoked session cannot change its user (401, row unchanged)', async () => {
    const user = await signedIn();
    await env.DB.prepare('update sessions set revoked_at = ? where user_uuid = ?').bind(Date.now(), user.uuid).run();
    const res = await patch('/user/me', { token: user.access, json: { city: 'Nowhere' } });
    expect(res.status).toBe(401);
    expect((await row('select city from users where uuid = ?', user.uuid))?.city).toBeNull();
  });

  it('a non-admin sending role gets 403 and keeps their role', async () => {
    const user = await signedIn();
    const res = await patch(`/user/${user.uuid}`, { token: user.access, json: { role: 'admin', city: 'Paris' } });
    expect(res.status).toBe(403);
    expect(await row('select role, city from users where uuid = ?', user.uuid)).toEqual({ role: 'normal', city: null });
  });

  it("a user cannot change another user's profile (404, row unchanged)", async () => {
    const [user, other] = [await signedIn(), await signedIn()];
    const res = await patch(`/user/${other.uuid}`, { token: user.access, json: { city: 'Paris' } });
    expect(res.status).toBe(404);
    expect((await row('select city from users where uuid = ?', other.uuid))?.city).toBeNull();
  });

  it('a disabled user cannot revoke sessions (401, sessions live)', async () => {
    const user = await signedIn();
    const second = await login(user);
    const [{ id }] = (await env.DB.prepare('select id from sessions where user_uuid = ? order by id limit 1').bind(user.uuid).all<{ id: string }>())
      .results as [{ id: string }];
    await env.DB.prepare('update users set disabled = 1 where uuid = ?').bind(user.uuid).run();
    expect((await del(`/user/me/sessions/${id}`, { token: second.access })).status).toBe(401);
    expect((await del(`/user/${user.uuid}/sessions`, { token: second.access })).status).toBe(401);
    expect((await row('select count(*) as n from sessions where user_uuid = ? and revoked_at is null', user.uuid))?.n).toBe(2);
  });

  it('a non-admin cannot approve or reject a photo (403, still pending, object kept)', async () => {
    const user = await signedIn();
    const id = await pendingPhoto(user);
    expect((await post(`/photos/${id}/approve`, { token: user.access })).status).toBe(403);
    expect((await post(`/photos/${id}/reject`, { token: user.access })).status).toBe(403);
    const photo = await row('select status, r2_key from photos where id = ?', id);
    expect(photo?.status).toBe('pending');
    expect(await env.PHOTOS.head(String(photo?.r2_key))).not.toBeNull();
    expect((await row('select role from users where uuid = ?', user.uuid))?.role).toBe('normal');
  });

  it("a user cannot delete another user's photo (404, row and object kept)", async () => {
    const [owner, other] = [await signedIn(), await signedIn()];
    const id = await pendingPhoto(owner);
    expect((await del(`/user/${owner.uuid}/photo`, { token: other.access })).status).toBe(404);
    const photo = await row('select r2_key from photos where id = ?', id);
    expect(photo).not.toBeNull();
    expect(await env.PHOTOS.head(String(photo?.r2_key))).not.toBeNull();
  });
});
