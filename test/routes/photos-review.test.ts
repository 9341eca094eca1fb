import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { PhotoPageSchema, PhotoSchema } from '../../src/schemas/photo';
import { body, get, patch, post } from '../helpers/api';
import { signedIn, type SignedIn } from '../helpers/factories';
import { JPEG, PNG } from '../helpers/images';
import { photoRows, r2Keys, roleOf, upload } from '../helpers/photos';
import { expectProblem, expectUnauthorized } from '../helpers/problems';

/** A user with a pending photo (manual recognizer, the default). */
async function pending(role: 'normal' | 'celebrity' | 'admin' = 'normal') {
  const user = await signedIn(role);
  const res = await upload(user, PNG);
  expect(res.status).toBe(202);
  return { user, photo: PhotoSchema.parse(await body(res)) };
}

/** Every id of a listing, walking the cursor with small pages. */
async function allIds(admin: SignedIn, status: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const res = await get(`/photos?status=${status}&limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: admin.access });
    expect(res.status).toBe(200);
    const page = PhotoPageSchema.parse(await body(res));
    expect(page.items.length).toBeLessThanOrEqual(2);
    ids.push(...page.items.map((p) => p.id));
    cursor = page.next_cursor;
  } while (cursor);
  return ids;
}

describe('GET /photos', () => {
  it('lists pending photos to an admin, oldest first, across keyset pages', async () => {
    const admin = await signedIn('admin');
    const a = await pending();
    const b = await pending();
    const c = await pending();
    const ids = await allIds(admin, 'pending');
    const ours = ids.filter((id) => [a, b, c].some((p) => p.photo.id === id));
    expect(ours).toEqual([a.photo.id, b.photo.id, c.photo.id]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('takes status=pending as the default and filters by the status asked for', async () => {
    const admin = await signedIn('admin');
    const { photo } = await pending();
    const res = await get('/photos?limit=100', { token: admin.access });
    expect(PhotoPageSchema.parse(await body(res)).items.map((p) => p.id)).toContain(photo.id);
    expect(await allIds(admin, 'accepted')).not.toContain(photo.id);
  });

  it('answers 403 to a normal user and to a celebrity, 401 without a token', async () => {
    for (const role of ['normal', 'celebrity'] as const) {
      const user = await signedIn(role);
      await expectProblem(await get('/photos?status=pending', { token: user.access }), 403);
    }
    await expectUnauthorized(await get('/photos?status=pending'), false);
  });

  it('answers 422 for an unknown status and for a cursor that is not ours', async () => {
    const admin = await signedIn('admin');
    const status = await expectProblem(await get('/photos?status=deleted', { token: admin.access }), 422);
    expect(status.errors?.[0]?.path).toBe('status');
    const cursor = await expectProblem(await get('/photos?cursor=bm90LWEtY3Vyc29y', { token: admin.access }), 422);
    expect(cursor.errors?.[0]?.path).toBe('cursor');
  });
});

describe('POST /photos/{id}/approve', () => {
  it('accepts the photo and makes its user celebrity at once', async () => {
    const admin = await signedIn('admin');
    const { user, photo } = await pending();
    const res = await post(`/photos/${photo.id}/approve`, { token: admin.access });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const approved = PhotoSchema.parse(await body(res));
    expect(approved).toMatchObject({ id: photo.id, status: 'accepted', reviewed_at: expect.any(String) });
    // Authorization reads the role from D1, so the user's existing token already sees it.
    expect((await body(await get('/user/me', { token: user.access }))).role).toBe('celebrity');
    expect(await r2Keys(user.uuid)).toEqual([`photos/${user.uuid}/${photo.id}`]);
    expect(await allIds(admin, 'pending')).not.toContain(photo.id);
  });

  it('keeps an admin admin and a celebrity celebrity', async () => {
    const admin = await signedIn('admin');
    for (const role of ['admin', 'celebrity'] as const) {
      const { user, photo } = await pending(role);
      expect((await post(`/photos/${photo.id}/approve`, { token: admin.access })).status).toBe(200);
      expect(await roleOf(user.uuid)).toBe(role);
    }
  });

  it('replaces the user’s earlier accepted photo', async () => {
    const admin = await signedIn('admin');
    const { user, photo: first } = await pending();
    await post(`/photos/${first.id}/approve`, { token: admin.access });
    const second = PhotoSchema.parse(await body(await upload(user, JPEG)));
    expect(await r2Keys(user.uuid)).toHaveLength(2); // accepted + pending while under review
    expect((await post(`/photos/${second.id}/approve`, { token: admin.access })).status).toBe(200);
    expect(await r2Keys(user.uuid)).toEqual([`photos/${user.uuid}/${second.id}`]);
    expect((await photoRows(user.uuid)).map((r) => [r.id, r.status])).toEqual([[second.id, 'accepted']]);
  });

  it('answers 409 once the photo was decided, and 404 for an unknown or malformed id', async () => {
    const admin = await signedIn('admin');
    const { photo } = await pending();
    await post(`/photos/${photo.id}/reject`, { token: admin.access });
    await expectProblem(await post(`/photos/${photo.id}/approve`, { token: admin.access }), 409);
    await expectProblem(await post(`/photos/${crypto.randomUUID()}/approve`, { token: admin.access }), 404);
    await expectProblem(await post('/photos/not-an-id/approve', { token: admin.access }), 404);
  });

  it('changes nothing on a repeated approval, not even a role an admin has changed since', async () => {
    const admin = await signedIn('admin');
    const { user, photo } = await pending();
    expect((await post(`/photos/${photo.id}/approve`, { token: admin.access })).status).toBe(200);
    const demoted = await patch(`/user/${user.uuid}`, { token: admin.access, json: { role: 'normal' } });
    expect(demoted.status).toBe(200);
    const problem = await expectProblem(await post(`/photos/${photo.id}/approve`, { token: admin.access }), 409);
    expect(problem.detail).toMatch(/already accepted/);
    expect(await roleOf(user.uuid)).toBe('normal');
    expect(await r2Keys(user.uuid)).toEqual([`photos/${user.uuid}/${photo.id}`]);
  });

  it('answers 403 to the photo’s own user and to other non-admins, changing nothing', async () => {
    const { user, photo } = await pending();
    const celebrity = await signedIn('celebrity');
    for (const caller of [user, celebrity]) {
      await expectProblem(await post(`/photos/${photo.id}/approve`, { token: caller.access }), 403);
    }
    await expectUnauthorized(await post(`/photos/${photo.id}/approve`), false);
    expect(await roleOf(user.uuid)).toBe('normal');
    expect(await photoRows(user.uuid)).toMatchObject([{ status: 'pending' }]);
  });
});

describe('POST /photos/{id}/reject', () => {
  it('marks the photo rejected and deletes its object from R2, leaving the role alone', async () => {
    const admin = await signedIn('admin');
    const { user, photo } = await pending();
    const res = await post(`/photos/${photo.id}/reject`, { token: admin.access });
    expect(res.status).toBe(200);
    expect(PhotoSchema.parse(await body(res))).toMatchObject({ id: photo.id, status: 'rejected', reviewed_at: expect.any(String) });
    expect(await env.PHOTOS.head(`photos/${user.uuid}/${photo.id}`)).toBeNull();
    expect(await roleOf(user.uuid)).toBe('normal');
    expect(await allIds(admin, 'rejected')).toContain(photo.id);
    await expectProblem(await get(`/user/${user.uuid}/photo`, { token: user.access }), 404);
  });

  it('answers 409 for a photo already rejected and 403 to a non-admin', async () => {
    const admin = await signedIn('admin');
    const { user, photo } = await pending();
    await expectProblem(await post(`/photos/${photo.id}/reject`, { token: user.access }), 403);
    expect((await post(`/photos/${photo.id}/reject`, { token: admin.access })).status).toBe(200);
    await expectProblem(await post(`/photos/${photo.id}/reject`, { token: admin.access }), 409);
  });
});
