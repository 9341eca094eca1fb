import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import worker from '../../src/index';
import { encodeCursor } from '../../src/lib/pagination';
import { FORM_LIMIT, JSON_LIMIT, MULTIPART_OVERHEAD } from '../../src/middleware/body-limit';
import { BASE, body, get } from '../helpers/api';
import { signedIn } from '../helpers/factories';
import { expectProblem } from '../helpers/problems';

const KiB = 1024;

/** A JSON object of exactly `size` bytes (so it is malformed only if the limit lets it through). */
const jsonOfSize = (size: number) => {
  const shell = '{"username":""}';
  return `{"username":"${'a'.repeat(size - shell.length)}"}`;
};

/** A body with no Content-Length: the runtime sends it chunked, so only counting can stop it. */
function chunked(text: string, chunkSize = 4 * KiB): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + chunkSize));
      at += chunkSize;
    },
  });
}

const send = (path: string, payload: BodyInit, type: string, method = 'POST') =>
  exports.default.fetch(new Request(`${BASE}${path}`, { method, body: payload, headers: { 'content-type': type } }));

async function expectTooLarge(res: Response) {
  await expectProblem(res, 413, 'body_too_large');
}

describe('body size limits', () => {
  it('refuses a JSON body over 64 KiB by its Content-Length with 413 problem+json', async () => {
    const text = jsonOfSize(JSON_LIMIT + 1);
    const req = new Request(`${BASE}/user`, { method: 'POST', body: text, headers: { 'content-type': 'application/json' } });
    expect(req.headers.get('content-length') ?? String(new TextEncoder().encode(text).length)).toBe(String(JSON_LIMIT + 1));
    await expectTooLarge(await exports.default.fetch(req));
  });

  it('lets a JSON body of exactly 64 KiB through to validation (422, not 413)', async () => {
    const res = await send('/user', jsonOfSize(JSON_LIMIT), 'application/json');
    expect(res.status).toBe(422);
  });

  it('refuses a chunked JSON body without Content-Length once it passes 64 KiB', async () => {
    const req = new Request(`${BASE}/user`, { method: 'POST', body: chunked(jsonOfSize(JSON_LIMIT + 10)), headers: { 'content-type': 'application/json' } });
    expect(req.headers.get('content-length')).toBeNull();
    await expectTooLarge(await exports.default.fetch(req));
  });

  it('accepts a chunked JSON body under the limit and validates it as usual', async () => {
    const res = await send('/user', chunked('{"username":"x"}', 3), 'application/json');
    expect(res.status).toBe(422);
  });

  it('refuses an oversized body before parsing it: malformed JSON over the limit is 413, not 400', async () => {
    await expectTooLarge(await send('/user', `{${'x'.repeat(JSON_LIMIT)}`, 'application/json'));
    await expectTooLarge(await send('/user', chunked(`{${'x'.repeat(JSON_LIMIT)}`), 'application/json'));
  });

  it('refuses an oversized body before authentication', async () => {
    await expectTooLarge(await send('/user/me', jsonOfSize(JSON_LIMIT + 1), 'application/json', 'PATCH'));
  });

  it('caps form bodies at 16 KiB, with or without Content-Length', async () => {
    const form = `username=${'a'.repeat(FORM_LIMIT)}`;
    await expectTooLarge(await send('/user', form, 'application/x-www-form-urlencoded'));
    await expectTooLarge(await send('/user', chunked(form), 'application/x-www-form-urlencoded'));
    const small = await send('/user', `username=${'a'.repeat(FORM_LIMIT - 20)}`, 'application/x-www-form-urlencoded');
    expect(small.status).toBe(422);
  });

  it('caps bodies of any other type at the JSON limit (the 415 comes after the 413)', async () => {
    await expectTooLarge(await send('/user', 'x'.repeat(JSON_LIMIT + 1), 'text/plain'));
    expect((await send('/user', 'x', 'text/plain')).status).toBe(415);
  });

  it('caps multipart bodies at the photo size plus 16 KiB of part headers', async () => {
    const photoMax = 4 * KiB;
    const ctx = createExecutionContext();
    const cfg = { ...env, PHOTO_MAX_BYTES: String(photoMax) };
    const boundary = 'x-boundary';
    const multipart = (size: number) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\nContent-Type: image/jpeg\r\n\r\n${'x'.repeat(size)}\r\n--${boundary}--\r\n`;
    const type = `multipart/form-data; boundary=${boundary}`;
    const over = await worker.fetch(
      new Request(`${BASE}/user/me/photo`, { method: 'POST', body: multipart(photoMax + MULTIPART_OVERHEAD), headers: { 'content-type': type } }),
      cfg,
      ctx,
    );
    await expectTooLarge(over);
    const overChunked = await worker.fetch(
      new Request(`${BASE}/user/me/photo`, { method: 'POST', body: chunked(multipart(photoMax + MULTIPART_OVERHEAD)), headers: { 'content-type': type } }),
      cfg,
      ctx,
    );
    await expectTooLarge(overChunked);
    const under = await worker.fetch(
      new Request(`${BASE}/user/me/photo`, { method: 'POST', body: multipart(photoMax), headers: { 'content-type': type } }),
      cfg,
      ctx,
    );
    expect(under.status).not.toBe(413);
    await waitOnExecutionContext(ctx);
  });
});

describe('POST /token size limit', () => {
  const expectOAuthTooLarge = async (res: Response) => {
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const json = await body(res);
    expect(Object.keys(json).sort()).toEqual(['error', 'error_description']);
    expect(json.error).toBe('invalid_request');
  };

  it('answers 413 with an RFC 6749 body to an oversized form, with or without Content-Length', async () => {
    const form = `grant_type=password&username=a&password=${'p'.repeat(FORM_LIMIT)}`;
    await expectOAuthTooLarge(await send('/token', form, 'application/x-www-form-urlencoded'));
    await expectOAuthTooLarge(await send('/token', chunked(form), 'application/x-www-form-urlencoded'));
  });

  it('answers 413 with an RFC 6749 body to an oversized JSON body', async () => {
    await expectOAuthTooLarge(await send('/token', `{"grant_type":"${'p'.repeat(JSON_LIMIT)}"}`, 'application/json'));
    await expectOAuthTooLarge(await send('/token/revoke', chunked(`token=${'t'.repeat(FORM_LIMIT)}`), 'application/x-www-form-urlencoded'));
  });
});

describe('pagination limits', () => {
  const expect422 = async (res: Response, path: string) => {
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const problem = await body<{ errors?: { path: string }[] }>(res);
    expect(problem.errors?.map((e) => e.path)).toContain(path);
  };

  it('caps limit at 100 on GET /user (422 above, 0 or not a number) and accepts 100', async () => {
    const admin = await signedIn('admin');
    for (const limit of ['101', '1000', '0', '-1', '1.5', 'ten', '1e3']) {
      await expect422(await get(`/user?limit=${limit}`, { token: admin.access }), 'limit');
    }
    const res = await get('/user?limit=100', { token: admin.access });
    expect(res.status).toBe(200);
    expect((await body<{ items: unknown[] }>(res)).items.length).toBeLessThanOrEqual(100);
  });

  it('refuses cursors it did not issue on GET /user with 422', async () => {
    const admin = await signedIn('admin');
    const forged = [
      'garbage',
      '%00',
      btoa('k1:not-a-uuid').replace(/=+$/, ''),
      btoa('k2:01234567-89ab-7def-8123-456789abcdef').replace(/=+$/, ''),
      'x'.repeat(201),
      '__proto__',
    ];
    for (const cursor of forged) await expect422(await get(`/user?cursor=${encodeURIComponent(cursor)}`, { token: admin.access }), 'cursor');
    const valid = await get(`/user?cursor=${encodeCursor('01234567-89ab-7def-8123-456789abcdef')}`, { token: admin.access });
    expect(valid.status).toBe(200);
  });

  it('applies the same limit and cursor rules to GET /user/me/logins', async () => {
    const user = await signedIn();
    await expect422(await get('/user/me/logins?limit=101', { token: user.access }), 'limit');
    await expect422(await get('/user/me/logins?cursor=bm9wZQ', { token: user.access }), 'cursor');
    const res = await get('/user/me/logins?limit=100', { token: user.access });
    expect(res.status).toBe(200);
    expect(await body(res)).toMatchObject({ items: [expect.objectContaining({ user_uuid: user.uuid })], next_cursor: null });
  });
});
