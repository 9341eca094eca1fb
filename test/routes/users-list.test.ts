import { describe, expect, it } from 'vitest';
import { UserPageSchema } from '../../src/schemas/user';
import { body, get } from '../helpers/api';
import { createUser, signedIn } from '../helpers/factories';
import { expectProblem } from '../helpers/problems';

type Page = ReturnType<typeof UserPageSchema.parse>;

async function listAll(token: string, query: string): Promise<{ pages: Page[]; uuids: string[] }> {
  const pages: Page[] = [];
  let cursor: string | null = null;
  do {
    const res = await get(`/user?${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token });
    expect(res.status).toBe(200);
    const page = UserPageSchema.parse(await body(res));
    pages.push(page);
    cursor = page.next_cursor;
  } while (cursor && pages.length < 50);
  return { pages, uuids: pages.flatMap((p) => p.items.map((u) => u.uuid)) };
}

describe('GET /user', () => {
  it('lists every user to an admin, newest first, across pages of `limit`', async () => {
    const admin = await signedIn('admin');
    const created: string[] = [];
    for (let i = 0; i < 5; i++) created.push((await createUser()).uuid);
    const { pages, uuids } = await listAll(admin.access, 'limit=2');
    expect(pages.slice(0, -1).every((p) => p.items.length === 2)).toBe(true);
    expect(pages.at(-1)!.next_cursor).toBeNull();
    expect(new Set(uuids).size).toBe(uuids.length); // no user twice
    expect(uuids).toEqual([...uuids].sort().reverse()); // UUIDv7: newest first
    for (const uuid of [admin.uuid, ...created]) expect(uuids).toContain(uuid);
    expect(uuids.slice(0, 5)).toEqual([...created].reverse());
  });

  it('filters by role', async () => {
    const admin = await signedIn('admin');
    const celebrity = await createUser({ role: 'celebrity' });
    const normal = await createUser();
    const { pages, uuids } = await listAll(admin.access, 'role=celebrity&limit=1');
    expect(pages.flatMap((p) => p.items).every((u) => u.role === 'celebrity')).toBe(true);
    expect(uuids).toContain(celebrity.uuid);
    expect(uuids).not.toContain(normal.uuid);
  });

  it('defaults to pages of 20', async () => {
    const admin = await signedIn('admin');
    await Promise.all(Array.from({ length: 21 }, () => createUser()));
    const page = UserPageSchema.parse(await body(await get('/user', { token: admin.access })));
    expect(page.items).toHaveLength(20);
    expect(page.next_cursor).toEqual(expect.any(String));
  });

  it('answers 422 for a limit above 100 or below 1', async () => {
    const admin = await signedIn('admin');
    for (const limit of ['101', '0', 'ten']) {
      const problem = await expectProblem(await get(`/user?limit=${limit}`, { token: admin.access }), 422);
      expect(problem.errors!.map((e) => e.path)).toEqual(['limit']);
    }
  });

  it('answers 422 for a cursor it did not issue', async () => {
    const admin = await signedIn('admin');
    for (const cursor of ['garbage', btoa('k1:not-a-uuid'), '%00%ff']) {
      const problem = await expectProblem(await get(`/user?cursor=${cursor}`, { token: admin.access }), 422);
      expect(problem.errors).toEqual([{ path: 'cursor', message: 'not a cursor from this API' }]);
    }
  });

  it('answers 422 for an unknown role filter', async () => {
    const admin = await signedIn('admin');
    const problem = await expectProblem(await get('/user?role=root', { token: admin.access }), 422);
    expect(problem.errors!.map((e) => e.path)).toEqual(['role']);
  });

  it('answers 403 to a normal user and a celebrity', async () => {
    for (const role of ['normal', 'celebrity'] as const) {
      const user = await signedIn(role);
      await expectProblem(await get('/user', { token: user.access }), 403);
    }
  });
});
