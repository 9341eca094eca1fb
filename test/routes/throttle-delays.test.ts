import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { getDb } from '../../src/db/client';
import { runBatch } from '../../src/db/statement';
import { attemptStatements, blockedFor, countAttempt, delayAfter, FORGET_AFTER_MS, MAX_DELAY_MS, pruneThrottle } from '../../src/services/throttle';
import { insertThrottleRow } from '../helpers/throttle';

// The delay schedule and the D1 statements that keep it, driven with an explicit `now`
// instead of sleeping.

const db = () => getDb(env.DB);
const T0 = Date.UTC(2026, 0, 1);
const row = (key: string) =>
  env.DB.prepare('select failures, blocked_until as blockedUntil, updated_at as updatedAt from login_throttle where key = ?')
    .bind(key)
    .first<{ failures: number; blockedUntil: number; updatedAt: number }>();
const insertRow = (key: string, failures: number, blockedUntil: number, updatedAt: number) => insertThrottleRow(key, { failures, blockedUntil, updatedAt });

describe('login throttle delay schedule', () => {
  it('is free for four failures, then 1 s doubling, capped at 15 minutes', () => {
    expect([1, 2, 3, 4].map(delayAfter)).toEqual([0, 0, 0, 0]);
    expect([5, 6, 7, 8, 14].map(delayAfter)).toEqual([1000, 2000, 4000, 8000, 512_000]);
    expect([15, 16, 100, 10_000, 1e9].map(delayAfter)).toEqual([MAX_DELAY_MS, MAX_DELAY_MS, MAX_DELAY_MS, MAX_DELAY_MS, MAX_DELAY_MS]);
    expect(MAX_DELAY_MS).toBe(15 * 60 * 1000);
  });

  it('is what the D1 upsert writes, failure after failure, each made once the previous block ended', async () => {
    const key = `login:sched_${crypto.randomUUID()}`;
    let at = T0;
    for (let n = 1; n <= 25; n += 1) {
      const { throttle: before } = await runBatch(db(), attemptStatements(db(), key, at));
      expect(blockedFor(before, at)).toBe(0);
      const r = await row(key);
      expect(r).toMatchObject({ failures: n, updatedAt: at });
      expect(r!.blockedUntil === 0 ? 0 : r!.blockedUntil - at).toBe(delayAfter(n));
      at = Math.max(at + 1, r!.blockedUntil);
    }
  });

  it('does not count or lengthen anything while the name is blocked', async () => {
    const key = `login:blocked_${crypto.randomUUID()}`;
    await insertRow(key, 9, T0 + 16_000, T0);
    const { throttle: before } = await runBatch(db(), attemptStatements(db(), key, T0 + 5000));
    expect(blockedFor(before, T0 + 5000)).toBe(11_000);
    expect(await row(key)).toEqual({ failures: 9, blockedUntil: T0 + 16_000, updatedAt: T0 });
  });

  it('starts counting again at one after a day without failures', async () => {
    const key = `login:idle_${crypto.randomUUID()}`;
    await insertRow(key, 40, T0 + MAX_DELAY_MS, T0);
    const later = T0 + FORGET_AFTER_MS + MAX_DELAY_MS + 1;
    await countAttempt(db(), key, later);
    expect(await row(key)).toEqual({ failures: 1, blockedUntil: 0, updatedAt: later });
  });

  it('prunes at most `limit` counters idle for a day, keeping recent and blocking ones', async () => {
    await env.DB.prepare('delete from login_throttle').run(); // this file's earlier rows are stale too
    const at = Date.now();
    const tag = crypto.randomUUID().slice(0, 8);
    for (let i = 0; i < 60; i += 1) await insertRow(`login:stale_${tag}_${i}`, 3, 0, at - FORGET_AFTER_MS - 1000);
    await insertRow(`login:recent_${tag}`, 3, 0, at - 1000);
    // A pathological row still blocking (updated long ago) is kept until its block ends.
    await insertRow(`login:stillblocked_${tag}`, 30, at + 60_000, at - FORGET_AFTER_MS - 1000);
    const left = async () =>
      (await env.DB.prepare('select count(*) as n from login_throttle where key like ?').bind(`login:%${tag}%`).first<{ n: number }>())!.n;

    expect(await pruneThrottle(db(), at, 50)).toHaveLength(50);
    expect(await left()).toBe(62 - 50);
    expect(await pruneThrottle(db(), at, 50)).toHaveLength(10);
    expect(await left()).toBe(2);
    expect(await row(`login:recent_${tag}`)).not.toBeNull();
    expect(await row(`login:stillblocked_${tag}`)).not.toBeNull();
  });
});
