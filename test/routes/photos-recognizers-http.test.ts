import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { UserSchema } from '../../src/schemas/user';
import { body } from '../helpers/api';
import { signedIn } from '../helpers/factories';
import { JPEG, PNG, WEBP } from '../helpers/images';
import { expectNothingKept, never, photoRows, r2Keys, remoteStandIn, roleOf, upload } from '../helpers/photos';
import { expectProblem } from '../helpers/problems';

const URL_ = 'https://recognizer.example/v1/recognize';
const HTTP = { RECOGNIZER: 'http', RECOGNIZER_URL: URL_, RECOGNIZER_SECRET: 'shared-secret-for-tests' };
const answer = (name: string | null, confidence: number) => () => Response.json({ name, confidence });
const ada = { name: 'Ada', surname: 'Lovelace' };

afterEach(() => vi.restoreAllMocks());
// These tests are about matching a recognised name; many users here share one. One account per
// name (test/routes/photos-celebrity-names.test.ts) would queue all but the first: each test
// starts with no name claimed.
beforeEach(async () => {
  await env.DB.prepare('delete from celebrity_names').run();
});

describe('POST /user/{uuid}/validate_photo with RECOGNIZER=http', () => {
  it('POSTs the image bytes with their type and the shared secret, and makes a recognised user celebrity', async () => {
    const user = await signedIn('normal', ada);
    const seen = remoteStandIn(vi.spyOn, answer('Ada Lovelace', 0.99));
    const res = await upload(user, PNG, { vars: HTTP, type: 'application/octet-stream' });

    expect(res.status).toBe(200);
    const dto = UserSchema.parse(await body(res));
    expect(dto).toMatchObject({ uuid: user.uuid, role: 'celebrity' });
    expect(await roleOf(user.uuid)).toBe('celebrity');

    expect(seen).toHaveLength(1);
    const { request, body: sent } = seen[0]!;
    expect(request.method).toBe('POST');
    expect(request.url).toBe(URL_);
    expect(request.headers.get('content-type')).toBe('image/png');
    expect(request.headers.get('x-recognizer-secret')).toBe('shared-secret-for-tests');
    expect(request.redirect).toBe('manual');
    expect(sent).toEqual(PNG);

    const rows = await photoRows(user.uuid);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'accepted', content_type: 'image/png' });
    expect(rows[0]!.reviewed_at).toEqual(expect.any(Number));
    expect(await r2Keys(user.uuid)).toEqual([rows[0]!.r2_key]);
  });

  it('sends no secret header when RECOGNIZER_SECRET is unset', async () => {
    const user = await signedIn('normal', ada);
    const seen = remoteStandIn(vi.spyOn, answer('Ada Lovelace', 0.99));
    const res = await upload(user, JPEG, { vars: { RECOGNIZER: 'http', RECOGNIZER_URL: URL_ } });
    expect(res.status).toBe(200);
    expect(seen[0]!.request.headers.has('x-recognizer-secret')).toBe(false);
    expect(seen[0]!.request.headers.get('content-type')).toBe('image/jpeg');
  });

  it('keeps an admin admin when their photo is recognised', async () => {
    const admin = await signedIn('admin', ada);
    remoteStandIn(vi.spyOn, answer('Ada Lovelace', 0.99));
    const res = await upload(admin, WEBP, { vars: HTTP });
    expect(res.status).toBe(200);
    expect((await body(res)).role).toBe('admin');
    expect(await roleOf(admin.uuid)).toBe('admin');
    expect(await photoRows(admin.uuid)).toMatchObject([{ status: 'accepted' }]);
  });

  const matches: [string, { name: string; surname: string }, string][] = [
    ['another case', ada, 'ADA lovelace'],
    ['extra and other whitespace', ada, '  Ada \t\u00a0 Lovelace\n'],
    ['accents the user does not have', ada, 'Ádà Lövelace'],
    ['no accents where the user has them', { name: 'Zoë', surname: 'Šťastná' }, 'Zoe Stastna'],
    ['decomposed accents against composed ones', { name: 'José', surname: 'Núñez' }, 'Jose\u0301 Nu\u0301n\u0303ez'],
  ];
  for (const [what, names, seenName] of matches) {
    it(`matches a name that differs only by ${what}`, async () => {
      const user = await signedIn('normal', names);
      remoteStandIn(vi.spyOn, answer(seenName, 0.99));
      const res = await upload(user, PNG, { vars: HTTP });
      expect(res.status).toBe(200);
      expect((await body(res)).role).toBe('celebrity');
    });
  }

  const mismatches: [string, string | null, number][] = [
    ['someone else', 'Charles Babbage', 0.99],
    ['the name only', 'Ada', 0.99],
    ['a longer name', 'Ada Lovelace King', 0.99],
    ['the words run together', 'AdaLovelace', 0.99],
    ['no face at all', null, 0],
    ['confidence exactly at the 0.95 threshold', 'Ada Lovelace', 0.95],
    ['confidence below the threshold', 'Ada Lovelace', 0.5],
  ];
  for (const [what, seenName, confidence] of mismatches) {
    it(`answers 403 and keeps nothing for ${what}`, async () => {
      const user = await signedIn('normal', ada);
      remoteStandIn(vi.spyOn, answer(seenName, confidence));
      const res = await upload(user, PNG, { vars: HTTP });
      const problem = await expectProblem(res, 403);
      expect(problem.detail).toMatch(/not recognised/);
      await expectNothingKept(user.uuid);
    });
  }

  it('takes the threshold from RECOGNIZER_MIN_CONFIDENCE', async () => {
    const user = await signedIn('normal', ada);
    remoteStandIn(vi.spyOn, answer('Ada Lovelace', 0.6));
    const res = await upload(user, PNG, { vars: { ...HTTP, RECOGNIZER_MIN_CONFIDENCE: '0.5' } });
    expect(res.status).toBe(200);
  });

  it('leaves the earlier accepted photo in place when a new one is not recognised', async () => {
    const user = await signedIn('normal', ada);
    remoteStandIn(vi.spyOn, answer('Ada Lovelace', 0.99));
    expect((await upload(user, PNG, { vars: HTTP })).status).toBe(200);
    const before = await photoRows(user.uuid);
    vi.restoreAllMocks();
    remoteStandIn(vi.spyOn, answer('Charles Babbage', 0.99));
    await expectProblem(await upload(user, JPEG, { vars: HTTP }), 403);
    expect(await photoRows(user.uuid)).toEqual(before);
    expect(await r2Keys(user.uuid)).toEqual([before[0]!.r2_key]);
  });

  it('replaces the earlier accepted photo when a new one is recognised', async () => {
    const user = await signedIn('normal', ada);
    remoteStandIn(vi.spyOn, answer('Ada Lovelace', 0.99));
    expect((await upload(user, PNG, { vars: HTTP })).status).toBe(200);
    expect((await upload(user, JPEG, { vars: HTTP })).status).toBe(200);
    const rows = await photoRows(user.uuid);
    expect(rows).toMatchObject([{ status: 'accepted', content_type: 'image/jpeg' }]);
    expect(await r2Keys(user.uuid)).toEqual([rows[0]!.r2_key]);
  });

  const failures: [string, () => Response | Promise<Response>, number][] = [
    ['answers 500', () => new Response('upstream exploded: stack at model.py:12', { status: 500 }), 502],
    ['answers something that is not JSON', () => new Response('<html>oops</html>', { headers: { 'content-type': 'text/html' } }), 502],
    ['answers JSON without a confidence', () => Response.json({ name: 'Ada Lovelace' }), 502],
    ['answers a confidence outside 0..1', () => Response.json({ name: 'Ada Lovelace', confidence: 97 }), 502],
    ['redirects elsewhere', () => new Response(null, { status: 302, headers: { location: 'https://evil.example/' } }), 502],
    ['cannot be reached', () => Promise.reject(new TypeError('Network connection lost')), 502],
    ['does not answer within RECOGNIZER_TIMEOUT_MS', never, 504],
  ];
  for (const [what, reply, status] of failures) {
    it(`answers ${status} and leaves nothing in R2 or D1 when the recognizer ${what}`, async () => {
      const user = await signedIn('normal', ada);
      const seen = remoteStandIn(vi.spyOn, reply);
      const started = Date.now();
      const res = await upload(user, PNG, { vars: { ...HTTP, RECOGNIZER_TIMEOUT_MS: '200' } });
      const problem = await expectProblem(res, status);
      expect(problem.detail).toMatch(/recognizer/);
      expect(problem.detail).not.toMatch(/model\.py|Network connection|evil/);
      expect(seen).toHaveLength(1);
      if (status === 504) {
        expect(Date.now() - started).toBeGreaterThanOrEqual(190);
        expect(seen[0]!.request.signal.aborted).toBe(true);
      }
      await expectNothingKept(user.uuid);
    });
  }

  it('answers 503 naming RECOGNIZER_URL when it is not configured, before storing anything', async () => {
    const user = await signedIn('normal', ada);
    const seen = remoteStandIn(vi.spyOn, answer('Ada Lovelace', 0.99));
    const problem = await expectProblem(await upload(user, PNG, { vars: { RECOGNIZER: 'http' } }), 503);
    expect(problem.detail).toContain('RECOGNIZER_URL');
    expect(seen).toHaveLength(0);
    await expectNothingKept(user.uuid);
  });
});
