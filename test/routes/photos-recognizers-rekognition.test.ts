import { env } from 'cloudflare:workers';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { UserSchema } from '../../src/schemas/user';
import { body } from '../helpers/api';
import { signedIn } from '../helpers/factories';
import { JPEG, PNG } from '../helpers/images';
import { expectNothingKept, never, photoRows, remoteStandIn, roleOf, upload } from '../helpers/photos';
import { expectProblem } from '../helpers/problems';
import { expectedSignature, parseAuthorization } from '../helpers/sigv4';

const KEY_ID = 'AKIDEXAMPLETEST0001';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const REKOGNITION = { RECOGNIZER: 'rekognition', AWS_ACCESS_KEY_ID: KEY_ID, AWS_SECRET_ACCESS_KEY: SECRET, AWS_REGION: 'eu-west-1' };
const ada = { name: 'Ada', surname: 'Lovelace' };

/** A RecognizeCelebrities answer with the given faces (MatchConfidence is 0-100). */
const celebrities =
  (...faces: [string, number][]) =>
  () =>
    Response.json(
      {
        CelebrityFaces: faces.map(([Name, MatchConfidence], i) => ({ Name, MatchConfidence, Id: `id${i}`, Urls: [], Face: { Confidence: 99.9 } })),
        UnrecognizedFaces: [],
      },
      { headers: { 'content-type': 'application/x-amz-json-1.1' } },
    );

const base64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

afterEach(() => vi.restoreAllMocks());
// These tests are about matching a recognised name; many users here share one. One account per
// name (test/routes/photos-celebrity-names.test.ts) would queue all but the first: each test
// starts with no name claimed.
beforeEach(async () => {
  await env.DB.prepare('delete from celebrity_names').run();
});

describe('POST /user/{uuid}/validate_photo with RECOGNIZER=rekognition', () => {
  it('sends a SigV4-signed RecognizeCelebrities call with the image inline, and a match makes the user celebrity', async () => {
    const user = await signedIn('normal', ada);
    const seen = remoteStandIn(vi.spyOn, celebrities(['Ada Lovelace', 99.2]));
    const res = await upload(user, JPEG, { vars: REKOGNITION });

    expect(res.status).toBe(200);
    expect(UserSchema.parse(await body(res)).role).toBe('celebrity');
    expect(await roleOf(user.uuid)).toBe('celebrity');

    expect(seen).toHaveLength(1);
    const { request, body: sent } = seen[0]!;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('https://rekognition.eu-west-1.amazonaws.com/');
    expect(request.headers.get('x-amz-target')).toBe('RekognitionService.RecognizeCelebrities');
    expect(request.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(JSON.parse(new TextDecoder().decode(sent))).toEqual({ Image: { Bytes: base64(JPEG) } });

    const amzDate = request.headers.get('x-amz-date') ?? '';
    expect(amzDate).toMatch(/^\d{8}T\d{6}Z$/);
    const auth = parseAuthorization(request.headers.get('authorization'));
    expect(auth).toMatchObject({ accessKeyId: KEY_ID, date: amzDate.slice(0, 8), region: 'eu-west-1', service: 'rekognition' });
    expect(auth!.signedHeaders).toEqual(expect.arrayContaining(['host', 'x-amz-date', 'x-amz-target']));
    expect(auth!.signedHeaders).toEqual([...auth!.signedHeaders].sort());
    expect(auth!.signature).toBe(await expectedSignature(request, sent, SECRET, auth!));
    expect(auth!.signature).not.toBe(await expectedSignature(request, sent, `${SECRET}x`, auth!));

    expect(await photoRows(user.uuid)).toMatchObject([{ status: 'accepted', content_type: 'image/jpeg' }]);
  });

  it('lets the face with the highest MatchConfidence decide, wherever it is listed', async () => {
    const user = await signedIn('normal', ada);
    remoteStandIn(vi.spyOn, celebrities(['Charles Babbage', 60], ['Ada Lovelace', 98.5]));
    expect((await upload(user, PNG, { vars: REKOGNITION })).status).toBe(200);
  });

  it('answers 403 and keeps nothing when a more confident face is someone else', async () => {
    const user = await signedIn('normal', ada);
    remoteStandIn(vi.spyOn, celebrities(['Ada Lovelace', 97], ['Charles Babbage', 99.5]));
    await expectProblem(await upload(user, PNG, { vars: REKOGNITION }), 403);
    await expectNothingKept(user.uuid);
  });

  it('answers 403 when the best face is the user but at 95% or less', async () => {
    const user = await signedIn('normal', ada);
    remoteStandIn(vi.spyOn, celebrities(['Ada Lovelace', 95]));
    await expectProblem(await upload(user, PNG, { vars: REKOGNITION }), 403);
    await expectNothingKept(user.uuid);
  });

  it('answers 403 when no celebrity is recognised at all', async () => {
    const user = await signedIn('normal', ada);
    remoteStandIn(vi.spyOn, celebrities());
    await expectProblem(await upload(user, PNG, { vars: REKOGNITION }), 403);
    await expectNothingKept(user.uuid);
  });

  it('compares the celebrity name without regard to case and accents', async () => {
    const user = await signedIn('normal', { name: 'Penélope', surname: 'Cruz' });
    remoteStandIn(vi.spyOn, celebrities(['PENELOPE CRUZ', 99]));
    expect((await upload(user, PNG, { vars: REKOGNITION })).status).toBe(200);
  });

  it('answers 502 and leaves nothing when Rekognition refuses the call', async () => {
    const user = await signedIn('normal', ada);
    const seen = remoteStandIn(vi.spyOn, () =>
      Response.json({ __type: 'InvalidSignatureException', message: 'The request signature we calculated does not match' }, { status: 403 }),
    );
    const problem = await expectProblem(await upload(user, PNG, { vars: REKOGNITION }), 502);
    expect(problem.detail).not.toMatch(/signature/i);
    expect(seen).toHaveLength(1); // no retries: the timeout bounds one call
    await expectNothingKept(user.uuid);
  });

  it('answers 502 and leaves nothing when Rekognition is unavailable', async () => {
    const user = await signedIn('normal', ada);
    const seen = remoteStandIn(vi.spyOn, () => new Response('{"__type":"ThrottlingException"}', { status: 503 }));
    await expectProblem(await upload(user, PNG, { vars: REKOGNITION }), 502);
    expect(seen).toHaveLength(1);
    await expectNothingKept(user.uuid);
  });

  it('answers 504 and leaves nothing when Rekognition does not answer in time', async () => {
    const user = await signedIn('normal', ada);
    remoteStandIn(vi.spyOn, never);
    await expectProblem(await upload(user, PNG, { vars: { ...REKOGNITION, RECOGNIZER_TIMEOUT_MS: '150' } }), 504);
    await expectNothingKept(user.uuid);
  });

  it('answers 503 naming the missing credentials, without calling AWS or storing anything', async () => {
    const user = await signedIn('normal', ada);
    const seen = remoteStandIn(vi.spyOn, celebrities(['Ada Lovelace', 99]));
    const problem = await expectProblem(await upload(user, PNG, { vars: { RECOGNIZER: 'rekognition', AWS_ACCESS_KEY_ID: KEY_ID } }), 503);
    expect(problem.detail).toContain('AWS_SECRET_ACCESS_KEY');
    expect(problem.detail).not.toContain(KEY_ID);
    expect(seen).toHaveLength(0);
    await expectNothingKept(user.uuid);
  });

  it('answers 503 for a region that is not an AWS region name', async () => {
    const user = await signedIn('normal', ada);
    const seen = remoteStandIn(vi.spyOn, celebrities(['Ada Lovelace', 99]));
    const problem = await expectProblem(await upload(user, PNG, { vars: { ...REKOGNITION, AWS_REGION: 'evil.example/x' } }), 503);
    expect(problem.detail).toContain('AWS_REGION');
    expect(seen).toHaveLength(0);
  });
});
