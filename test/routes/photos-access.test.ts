import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PhotoSchema } from '../../src/schemas/photo';
import { body, del, get, post } from '../helpers/api';
import { signedIn } from '../helpers/factories';
import { JPEG, PNG, WEBP } from '../helpers/images';
import { photoRows, r2Keys, remoteStandIn, upload } from '../helpers/photos';
import { expectProblem, expectUnauthorized } from '../helpers/problems';

afterEach(() => vi.restoreAllMocks());

async function withPhoto(bytes: Uint8Array = PNG) {
  const user = await signedIn();
  const photo = PhotoSchema.parse(await body(await upload(user, bytes)));
  return { user, photo };
}

describe('GET /user/{uuid}/photo', () => {
  it('streams the photo to its user with its content type, private and unsniffable', async () => {
    const { user, photo } = await withPhoto(WEBP);
    const res = await get(`/user/${user.uuid}/photo`, { token: user.access });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/webp');
    expect(res.headers.get('cache-control')).toMatch(/^private\b/);
    expect(res.headers.get('cache-control')).toContain('no-store');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-photo-id')).toBe(photo.id);
    expect(res.headers.get('x-photo-status')).toBe('pending');
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(WEBP);
  });

  it('streams any user’s photo to an admin', async () => {
    const admin = await signedIn('admin');
    const { user } = await withPhoto(JPEG);
    const res = await get(`/user/${user.uuid}/photo`, { token: admin.access });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(JPEG);
  });

  it('shows the newest photo: a pending one over an older accepted one', async () => {
    const admin = await signedIn('admin');
    const { user, photo } = await withPhoto(PNG);
    await post(`/photos/${photo.id}/approve`, { token: admin.access });
    const accepted = await get(`/user/${user.uuid}/photo`, { token: user.access });
    expect(accepted.headers.get('x-photo-status')).toBe('accepted');
    await accepted.arrayBuffer();
    const newer = PhotoSchema.parse(await body(await upload(user, JPEG)));
    const res = await get(`/user/${user.uuid}/photo`, { token: user.access });
    expect(res.headers.get('x-photo-id')).toBe(newer.id);
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(JPEG);
  });

  it('answers 404 to other users, whatever their role, exactly as for a user without a photo', async () => {
    const { user } = await withPhoto();
    const noPhoto = await signedIn();
    const own = await expectProblem(await get(`/user/${noPhoto.uuid}/photo`, { token: noPhoto.access }), 404);
    for (const role of ['normal', 'celebrity'] as const) {
      const other = await signedIn(role);
      const problem = await expectProblem(await get(`/user/${user.uuid}/photo`, { token: other.access }), 404);
      expect(problem).toEqual(own);
    }
    await expectProblem(await get(`/user/${crypto.randomUUID()}/photo`, { token: (await signedIn('admin')).access }), 404);
  });

  it('answers 401 without a token or with a bad one', async () => {
    const { user } = await withPhoto();
    await expectUnauthorized(await get(`/user/${user.uuid}/photo`), false);
    await expectUnauthorized(await get(`/user/${user.uuid}/photo`, { token: 'a.b.c' }), true);
  });
});

describe('DELETE /user/{uuid}/photo', () => {
  it('lets the user delete their photo from R2 and D1', async () => {
    const { user } = await withPhoto();
    const res = await del(`/user/${user.uuid}/photo`, { token: user.access });
    expect(res.status).toBe(204);
    expect(await r2Keys(user.uuid)).toEqual([]);
    expect(await photoRows(user.uuid)).toEqual([]);
    await expectProblem(await get(`/user/${user.uuid}/photo`, { token: user.access }), 404);
    await expectProblem(await del(`/user/${user.uuid}/photo`, { token: user.access }), 404);
  });

  it('lets an admin delete any user’s photo', async () => {
    const admin = await signedIn('admin');
    const { user } = await withPhoto();
    expect((await del(`/user/${user.uuid}/photo`, { token: admin.access })).status).toBe(204);
    expect(await r2Keys(user.uuid)).toEqual([]);
  });

  it('answers 404 to other non-admins and keeps the photo', async () => {
    const { user, photo } = await withPhoto();
    const other = await signedIn('celebrity');
    await expectProblem(await del(`/user/${user.uuid}/photo`, { token: other.access }), 404);
    expect(await r2Keys(user.uuid)).toEqual([`photos/${user.uuid}/${photo.id}`]);
    await expectUnauthorized(await del(`/user/${user.uuid}/photo`), false);
  });
});

describe('POST /user/{uuid}/validate_photo access', () => {
  it('answers 404 to anyone uploading for another user, admins included, and stores nothing', async () => {
    const target = await signedIn();
    for (const role of ['normal', 'celebrity', 'admin'] as const) {
      const caller = await signedIn(role);
      await expectProblem(await upload(caller, PNG, { uuid: target.uuid }), 404);
    }
    expect(await r2Keys(target.uuid)).toEqual([]);
    expect(await photoRows(target.uuid)).toEqual([]);
  });

  it('answers 401 without a token', async () => {
    const user = await signedIn();
    await expectUnauthorized(await upload({ uuid: user.uuid, access: '' }, PNG), false);
  });
});

describe('DELETE /user/me erases photos', () => {
  it('leaves no R2 object and no photo row of the user', async () => {
    const admin = await signedIn('admin');
    const { user, photo } = await withPhoto(PNG);
    await post(`/photos/${photo.id}/approve`, { token: admin.access });
    await upload(user, JPEG); // a pending one beside the accepted one
    // An object with no row (as an interrupted upload could leave) must go too.
    await env.PHOTOS.put(`photos/${user.uuid}/${crypto.randomUUID()}`, PNG);
    expect(await r2Keys(user.uuid)).toHaveLength(3);

    expect((await del('/user/me', { token: user.access })).status).toBe(204);
    expect(await r2Keys(user.uuid)).toEqual([]);
    expect(await photoRows(user.uuid)).toEqual([]);
  });

  it('leaves other users’ photos alone', async () => {
    const { user } = await withPhoto();
    const { user: other, photo } = await withPhoto();
    expect((await del('/user/me', { token: user.access })).status).toBe(204);
    expect(await r2Keys(other.uuid)).toEqual([`photos/${other.uuid}/${photo.id}`]);
  });

  it('erases a photo accepted by a remote recognizer as well', async () => {
    const user = await signedIn('normal', { name: 'Grace', surname: 'Hopper' });
    remoteStandIn(vi.spyOn, () => Response.json({ name: 'Grace Hopper', confidence: 0.99 }));
    const vars = { RECOGNIZER: 'http', RECOGNIZER_URL: 'https://recognizer.example/' };
    expect((await upload(user, PNG, { vars })).status).toBe(200);
    expect(await r2Keys(user.uuid)).toHaveLength(1);
    expect((await del(`/user/${user.uuid}`, { token: user.access })).status).toBe(204);
    expect(await r2Keys(user.uuid)).toEqual([]);
  });
});
