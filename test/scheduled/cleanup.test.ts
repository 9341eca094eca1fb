import { createScheduledController } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import worker from '../../src/index';
import { CLEANUP_BATCH } from '../../src/services/cleanup';
import { FORGET_AFTER_MS } from '../../src/services/throttle';
import { get, post } from '../helpers/api';
import { createUser, login } from '../helpers/factories';
import { insertThrottleRow } from '../helpers/throttle';

// The hourly cron trigger (src/scheduled.ts), run the way the runtime runs it, against the local D1.

const ACCESS_TTL_MS = Number(env.ACCESS_TOKEN_TTL_SECONDS) * 1000;
const HOUR = 3_600_000;

/** Runs the scheduled handler once and returns what it logged. */
async function runCron(): Promise<Record<string, unknown>> {
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: '23 * * * *' }), env);
  const lines = log.mock.calls.map((args) => JSON.parse(String(args[0])) as Record<string, unknown>);
  return lines.find((l) => l.event === 'cleanup')!;
}

async function insertSession(userUuid: string, times: { expiresAt: number; revokedAt?: number }): Promise<string> {
  const id = crypto.randomUUID();
  const at = Date.now() - 2 * HOUR;
  await env.DB.batch([
    env.DB.prepare(
      'insert into sessions (id, user_uuid, created_at, last_used_at, expires_at, absolute_expires_at, revoked_at) values (?, ?, ?, ?, ?, ?, ?)',
    ).bind(id, userUuid, at, at, times.expiresAt, at + 90 * 24 * HOUR, times.revokedAt ?? null),
    env.DB.prepare('insert into refresh_tokens (hash, session_id, created_at) values (?, ?, ?)').bind(`hash-${id}`, id, at),
  ]);
  return id;
}

const sessionIds = async (userUuid: string) =>
  (await env.DB.prepare('select id from sessions where user_uuid = ?').bind(userUuid).all<{ id: string }>()).results.map((r) => r.id).sort();
const refreshTokenCount = async (sessionId: string) =>
  (await env.DB.prepare('select count(*) as n from refresh_tokens where session_id = ?').bind(sessionId).first<{ n: number }>())!.n;

describe('hourly cleanup', () => {
  afterEach(() => vi.restoreAllMocks());

  it('deletes expired sessions and those revoked an access-token lifetime ago, with their refresh tokens, and nothing else', async () => {
    const user = await createUser();
    const tokens = await login(user); // a real, live session
    const now = Date.now();
    const live = await insertSession(user.uuid, { expiresAt: now + HOUR });
    const expired = await insertSession(user.uuid, { expiresAt: now - 1000 });
    const revokedLongAgo = await insertSession(user.uuid, { expiresAt: now + HOUR, revokedAt: now - ACCESS_TTL_MS - 60_000 });
    // Revoked inside an access-token lifetime: kept (the row is what rejects its access tokens).
    const revokedRecently = await insertSession(user.uuid, { expiresAt: now + HOUR, revokedAt: now - 60_000 });
    const before = await sessionIds(user.uuid);
    expect(before).toHaveLength(5);

    const logged = await runCron();

    const after = await sessionIds(user.uuid);
    expect(after).toEqual(before.filter((id) => id !== expired && id !== revokedLongAgo));
    expect(after).toEqual(expect.arrayContaining([live, revokedRecently]));
    expect(await refreshTokenCount(expired)).toBe(0);
    expect(await refreshTokenCount(revokedLongAgo)).toBe(0);
    expect(await refreshTokenCount(live)).toBe(1);
    expect(logged).toMatchObject({ level: 'info', event: 'cleanup', expiredSessions: 1, revokedSessions: 1, rounds: 1 });

    // The real session still works both ways.
    expect((await get('/user/me', { token: tokens.access })).status).toBe(200);
    const refreshed = await post('/token', { form: { grant_type: 'refresh_token', refresh_token: tokens.refresh } });
    expect(refreshed.status).toBe(200);
  });

  it('works through more rows than one round deletes, in one run', async () => {
    const user = await createUser();
    const total = 2 * CLEANUP_BATCH + 7;
    const past = Date.now() - HOUR;
    await env.DB.prepare(
      `with recursive n(i) as (select 1 union all select i + 1 from n where i < ?)
       insert into sessions (id, user_uuid, created_at, last_used_at, expires_at, absolute_expires_at)
       select 'bulk-' || i, ?, ?, ?, ?, ? from n`,
    )
      .bind(total, user.uuid, past, past, past, past)
      .run();
    expect(await sessionIds(user.uuid)).toHaveLength(total);

    const logged = await runCron();

    expect(await sessionIds(user.uuid)).toEqual([]);
    expect(logged).toMatchObject({ expiredSessions: total, rounds: 3 });
  });

  it('forgets throttle counters idle for a day, keeping recent ones and any still blocking', async () => {
    const now = Date.now();
    const tag = crypto.randomUUID().slice(0, 8);
    const insert = (key: string, blockedUntil: number, updatedAt: number) => insertThrottleRow(key, { failures: 3, blockedUntil, updatedAt });
    await insert(`login:stale_${tag}`, 0, now - FORGET_AFTER_MS - 1000);
    await insert(`login:recent_${tag}`, 0, now - 1000);
    await insert(`login:blocking_${tag}`, now + HOUR, now - FORGET_AFTER_MS - 1000);

    const logged = await runCron();

    const keys = (await env.DB.prepare('select key from login_throttle where key like ?').bind(`%${tag}`).all<{ key: string }>()).results.map((r) => r.key);
    expect(keys.sort()).toEqual([`login:blocking_${tag}`, `login:recent_${tag}`]);
    expect(logged).toMatchObject({ throttleCounters: 1 });
  });
});
