import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { PhotoSchema } from '../../src/schemas/photo';
import { BASE, body, get } from '../helpers/api';
import { signedIn } from '../helpers/factories';
import { HOSTILE, IMAGES, JPEG, padded, PNG } from '../helpers/images';
import { fetchWith, photoRows, r2Keys, roleOf, sha256Hex, upload } from '../helpers/photos';
import { expectProblem } from '../helpers/problems';

describe('POST /user/{uuid}/validate_photo with the manual recognizer', () => {
  for (const { format, bytes, type } of IMAGES) {
    it(`stores a ${format} in R2 and D1 and answers 202 with the pending photo`, async () => {
      const user = await signedIn();
      const res = await upload(user, bytes);
      expect(res.status).toBe(202);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const photo = PhotoSchema.parse(await body(res));
      expect(photo).toMatchObject({ user_uuid: user.uuid, status: 'pending', content_type: type, size: bytes.length, reviewed_at: null });
      expect(photo.sha256).toBe(await sha256Hex(bytes));

      const object = await env.PHOTOS.get(`photos/${user.uuid}/${photo.id}`);
      expect(object).not.toBeNull();
      expect(object!.httpMetadata?.contentType).toBe(type);
      expect(object!.customMetadata).toEqual({ sha256: photo.sha256, userUuid: user.uuid, photoId: photo.id });
      expect(new Uint8Array(await object!.arrayBuffer())).toEqual(bytes);

      const rows = await photoRows(user.uuid);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ id: photo.id, status: 'pending', r2_key: `photos/${user.uuid}/${photo.id}`, content_type: type });
      expect(await roleOf(user.uuid)).toBe('normal');
    });
  }

  it('judges the type by the bytes, ignoring the part name and declared type', async () => {
    const user = await signedIn();
    const res = await upload(user, PNG, { name: 'notes.txt', type: 'text/plain' });
    expect(res.status).toBe(202);
    expect((await body(res)).content_type).toBe('image/png');
  });

  for (const { kind, bytes } of HOSTILE) {
    it(`refuses ${kind} with 415 even when declared image/png, keeping nothing`, async () => {
      const user = await signedIn();
      const res = await upload(user, bytes, { name: 'photo.png', type: 'image/png' });
      const problem = await expectProblem(res, 415);
      expect(problem.detail).toMatch(/JPEG, PNG or WebP/);
      expect(await r2Keys(user.uuid)).toEqual([]);
      expect(await photoRows(user.uuid)).toEqual([]);
    });
  }

  it('refuses a file part larger than PHOTO_MAX_BYTES with 413 although the body fits the multipart allowance', async () => {
    const user = await signedIn();
    const res = await upload(user, padded(PNG, 1025), { vars: { PHOTO_MAX_BYTES: '1024' } });
    const problem = await expectProblem(res, 413);
    expect(problem.detail).toContain('1024');
    expect(await r2Keys(user.uuid)).toEqual([]);
  });

  it('accepts a photo of exactly PHOTO_MAX_BYTES', async () => {
    const user = await signedIn();
    const res = await upload(user, padded(JPEG, 1024), { vars: { PHOTO_MAX_BYTES: '1024' } });
    expect(res.status).toBe(202);
    expect((await body(res)).size).toBe(1024);
  });

  it('refuses a body over the default 5 MiB limit by its Content-Length with 413', async () => {
    const user = await signedIn();
    const res = await upload(user, padded(PNG, 5 * 1024 * 1024 + 20 * 1024));
    await expectProblem(res, 413);
    expect(await r2Keys(user.uuid)).toEqual([]);
  });

  it('refuses a streamed body without Content-Length with 413 after reading little more than the limit', async () => {
    const user = await signedIn();
    const chunk = new Uint8Array(64 * 1024);
    let pulled = 0;
    const total = 64 * 64 * 1024; // 4 MiB offered; the limit below is 1 KiB + 16 KiB overhead
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulled >= total) return controller.close();
        pulled += chunk.length;
        controller.enqueue(chunk.slice());
      },
    });
    const request = new Request(`${BASE}/user/${user.uuid}/validate_photo`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user.access}`, 'content-type': 'multipart/form-data; boundary=xyz' },
      body: stream,
    });
    expect(request.headers.get('content-length')).toBeNull();
    const res = await fetchWith({ PHOTO_MAX_BYTES: '1024' }, request);
    await expectProblem(res, 413);
    expect(pulled).toBeLessThan(4 * chunk.length);
  });

  it('answers 415 for a JSON body and 422 for a multipart body without a file part', async () => {
    const user = await signedIn();
    const path = `/user/${user.uuid}/validate_photo`;
    const json = await fetchWith(
      {},
      new Request(`${BASE}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${user.access}`, 'content-type': 'application/json' },
        body: '{"file":"x"}',
      }),
    );
    await expectProblem(json, 415);
    const form = new FormData();
    form.append('file', 'just text');
    const noFile = await fetchWith({}, new Request(`${BASE}${path}`, { method: 'POST', headers: { authorization: `Bearer ${user.access}` }, body: form }));
    const problem = await expectProblem(noFile, 422);
    expect(problem.errors?.[0]?.path).toBe('file');
  });

  it('keeps one pending photo per user: a new upload supersedes the previous one in R2 and D1', async () => {
    const user = await signedIn();
    const first = await body(await upload(user, PNG));
    const second = await body(await upload(user, JPEG));
    expect(await r2Keys(user.uuid)).toEqual([`photos/${user.uuid}/${second.id}`]);
    expect((await photoRows(user.uuid)).map((r) => r.id)).toEqual([second.id]);
    expect(first.id).not.toBe(second.id);
  });

  it('is documented in the OpenAPI document as a multipart upload of a binary file', async () => {
    type Doc = {
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { $ref?: string } }> } }>>;
      components: { schemas: Record<string, unknown> };
    };
    const doc = await body<Doc>(await get('/openapi.json'));
    const content = doc.paths['/user/{uuid}/validate_photo']?.post?.requestBody?.content;
    expect(Object.keys(content ?? {})).toEqual(['multipart/form-data']);
    const ref = content!['multipart/form-data']!.schema.$ref!.split('/').pop()!;
    expect(doc.components.schemas[ref]).toMatchObject({ properties: { file: { type: 'string', format: 'binary' } }, required: ['file'] });
    for (const path of ['/user/{uuid}/photo', '/photos', '/photos/{id}/approve', '/photos/{id}/reject']) expect(doc.paths[path]).toBeDefined();
  });
});
