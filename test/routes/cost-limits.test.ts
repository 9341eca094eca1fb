import { afterEach, describe, expect, it, vi } from 'vitest';
import { get } from '../helpers/api';
import { signedIn } from '../helpers/factories';
import { PNG } from '../helpers/images';
import { photoRows, r2Keys, remoteStandIn, upload } from '../helpers/photos';
import { expectProblem } from '../helpers/problems';

// The limits of wrangler.toml: PHOTO_USER_LIMITER 5/60 s, PHOTO_IP_LIMITER 20/60 s,
// HEALTH_IP_LIMITER 10/60 s, enforced locally by miniflare in windows aligned to the minute.
const HTTP = { RECOGNIZER: 'http', RECOGNIZER_URL: 'https://recognizer.example/v1/recognize' };
const net = () => `2001:db8:${crypto.randomUUID().slice(0, 4)}:${crypto.randomUUID().slice(0, 4)}`;

/** Runs `fn` inside one rate-limit window (windows are aligned to the minute). */
async function inOneWindow<T>(fn: () => Promise<T>): Promise<T> {
  for (let i = 0; i < 3; i += 1) {
    const window = Math.floor(Date.now() / 60_000);
    const result = await fn();
    if (Math.floor(Date.now() / 60_000) === window) return result;
  }
  throw new Error('could not stay inside one rate-limit window');
}

afterEach(() => vi.restoreAllMocks());

describe('photo uploads', () => {
  it('are limited per user before R2 or the recognizer: the 6th in a minute is 429 with Retry-After, and nothing is stored or sent', async () => {
    const seen = remoteStandIn(vi.spyOn, () => Response.json({ name: 'Somebody Else', confidence: 0.99 }));
    const { statuses, last, keys, rows } = await inOneWindow(async () => {
      const user = await signedIn();
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await upload(user, PNG, { vars: HTTP })).status);
      seen.length = 0;
      const last = await upload(user, PNG, { vars: HTTP });
      return { statuses, last, keys: await r2Keys(user.uuid), rows: await photoRows(user.uuid) };
    });
    expect(statuses).toEqual([403, 403, 403, 403, 403]); // not recognised as themselves, nothing kept
    await expectProblem(last, 429, 'rate_limited');
    expect(Number(last.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(seen).toHaveLength(0);
    expect(keys).toEqual([]);
    expect(rows).toEqual([]);
  });
});

describe('GET /health?deep=1', () => {
  it('is limited per client IP (the 11th in a minute is 429); plain /health is not', async () => {
    const { deep, plain } = await inOneWindow(async () => {
      const headers = { 'cf-connecting-ip': `${net()}::1` };
      const deep: number[] = [];
      for (let i = 0; i < 11; i++) deep.push((await get('/health?deep=1', { headers })).status);
      const plain: number[] = [];
      for (let i = 0; i < 15; i++) plain.push((await get('/health', { headers })).status);
      return { deep, plain };
    });
    expect(deep).toEqual([...Array(10).fill(200), 429]);
    expect(plain).toEqual(Array(15).fill(200));
  });
});
