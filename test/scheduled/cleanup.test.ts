import { createScheduledController } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config';
import { getDb } from '../../src/db/client';
import worker from '../../src/index';
import { CLEANUP_BATCH, CLEANUP_MAX_ROUNDS, cleanupStatements } from '../../src/services/cleanup';
import { FORGET_AFTER_MS } from '../../src/services/throttle';
import { get, post } from '../helpers/api';
import { createUser, login } from '../helpers/factories';
import { insertThrottleRow } from '../helpers/throttle';

// The hourly cron trigger (src/scheduled.ts), run the way the runtime runs it, against the local D1.

const ACCESS_TTL_MS = Number(env.ACCESS_TOKEN_TTL_SECONDS) * 1000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const RETENTION_MS = Number(env.AUDIT_RETENTION_DAYS) * DAY;

/** Runs the scheduled handler once and returns what it logged. */
async function runCron(): Promise<Record<string, unknown>> {
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  try {
    await worker.scheduled(createScheduledController({ scheduledTime: Date.now(), cron: '23 * * * *' }), env);
    const lines = log.mock.calls.map((args) => JSON.parse(String(args[0])) as Record<string, unknown>);
    return lines.find((l) => l.event === 'cleanup')!;
  } finally {
    // Restored each run, so a second run in one test reads only its own line.
    log.mockRestore();
  }
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

/**
 * A UUIDv7 of exactly `ms` (src/lib/ids.ts never goes back in time within an isolate, so it
 * cannot make the old ids these tests need): 48 bits of time, version 7, variant, random bits.
 */
function idAt(ms: number): string {
  const hex = [...crypto.getRandomValues(new Uint8Array(10))].map((b) => b.toString(16).padStart(2, '0')).join('');
  const t = ms.toString(16).padStart(12, '0');
  return `${t.slice(0, 8)}-${t.slice(8)}-7${hex.slice(0, 3)}-${'89ab'[Number.parseInt(hex[3]!, 16) % 4]}${hex.slice(4, 7)}-${hex.slice(7, 19)}`;
}

/** One audit event made at `ms` (a UUIDv7 of that time, as the worker writes them), about `subject`. */
async function insertEvent(subject: string, ms: number): Promise<string> {
  const id = idAt(ms);
  await env.DB.prepare('insert into audit_events (id, at, event, subject_uuid, detail) values (?, ?, ?, ?, ?)')
    .bind(id, ms, 'login.failed', subject, '{"reason":"bad_password"}')
    .run();
  return id;
}

/**
 * `count` audit events about `subject`, one a millisecond going back from `newest`, in one
 * statement: ids made in SQL the way uuidv7() lays them out (48 bits of time, version 7, a
 * counter, variant, then bits that keep them unique).
 */
async function insertEvents(subject: string, count: number, newest: number): Promise<void> {
  await env.DB.prepare(
    `with recursive n(i) as (select 0 union all select i + 1 from n where i < ?1 - 1),
     t(i, ms, h) as (select i, ?2 - i, printf('%012x', ?2 - i) from n)
     insert into audit_events (id, at, event, subject_uuid)
     select substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-7' || printf('%03x', i % 4096) || '-8' || printf('%03x', i / 4096 % 4096) || '-' || printf('%012x', i),
            ms, 'session.revoked', ?3 from t`,
  )
    .bind(count, newest, subject)
    .run();
}

const eventIds = async (subject: string) =>
  (await env.DB.prepare('select id from audit_events where subject_uuid = ? order by id').bind(subject).all<{ id: string }>()).results.map((r) => r.id);

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

  it('deletes audit events older than AUDIT_RETENTION_DAYS and keeps newer ones', async () => {
    const subject = crypto.randomUUID();
    const now = Date.now();
    const cutoff = now - RETENTION_MS;
    const old = [await insertEvent(subject, cutoff - 30 * DAY), await insertEvent(subject, cutoff - 60_000)];
    const kept = [await insertEvent(subject, cutoff + 60_000), await insertEvent(subject, now - HOUR)];
    expect(await eventIds(subject)).toEqual([...old, ...kept].sort());

    const logged = await runCron();

    expect(await eventIds(subject)).toEqual(kept.sort());
    expect(logged).toMatchObject({ auditEvents: 2, rounds: 1 });
  });

  it('deletes at most CLEANUP_BATCH audit events a round and CLEANUP_MAX_ROUNDS rounds a run; the next run takes the rest', async () => {
    const subject = crypto.randomUUID();
    const perRun = CLEANUP_BATCH * CLEANUP_MAX_ROUNDS;
    const newest = Date.now() - RETENTION_MS - HOUR;
    await insertEvents(subject, perRun + 3, newest);
    const recent = await insertEvent(subject, Date.now() - HOUR);
    expect(await eventIds(subject)).toHaveLength(perRun + 4);

    const first = await runCron();
    expect(first).toMatchObject({ auditEvents: perRun, rounds: CLEANUP_MAX_ROUNDS });
    // The oldest went first: what is left is the newest of the old ones, and the recent one.
    const left = await eventIds(subject);
    expect(left).toHaveLength(4);
    expect(left.slice(0, 3).every((id) => id.startsWith(newest.toString(16).padStart(12, '0').slice(0, 8)))).toBe(true);

    const second = await runCron();
    expect(second).toMatchObject({ auditEvents: 3, rounds: 1 });
    expect(await eventIds(subject)).toEqual([recent]);
  });

  it('finds old audit events by a range of the primary key, not a scan', async () => {
    const { events } = cleanupStatements(getDb(env.DB), loadConfig(env), Date.now());
    const query = (events as unknown as { toSQL(): { sql: string; params: unknown[] } }).toSQL();
    const plan = await env.DB.prepare(`explain query plan ${query.sql}`)
      .bind(...query.params)
      .all<{ detail: string }>();
    const steps = plan.results.map((r) => r.detail);
    expect(steps).toContainEqual(expect.stringMatching(/^SEARCH audit_events USING (COVERING )?INDEX sqlite_autoindex_audit_events_1 \(id<\?\)$/));
    expect(steps.filter((s) => /^SCAN audit_events/.test(s))).toEqual([]);
  });

  it('forgets retired usernames whose retirement has ended, keeping the others', async () => {
    const tag = crypto.randomUUID();
    const now = Date.now();
    await env.DB.batch([
      env.DB.prepare('insert into retired_usernames (key_hash, retired_until) values (?, ?)').bind(`ended-${tag}`, now - 1000),
      env.DB.prepare('insert into retired_usernames (key_hash, retired_until) values (?, ?)').bind(`long-ended-${tag}`, now - 40 * DAY),
      env.DB.prepare('insert into retired_usernames (key_hash, retired_until) values (?, ?)').bind(`retired-${tag}`, now + HOUR),
    ]);

    const logged = await runCron();

    const left = await env.DB.prepare('select key_hash from retired_usernames where key_hash like ?').bind(`%${tag}`).all<{ key_hash: string }>();
    expect(left.results.map((r) => r.key_hash)).toEqual([`retired-${tag}`]);
    expect(logged).toMatchObject({ retiredUsernames: 2 });
  });

  it('deletes second-factor challenges past their five minutes, and keeps live ones', async () => {
    const user = await createUser();
    const insert = (hash: string, expiresAt: number) =>
      env.DB.prepare(
        "insert into mfa_challenges (hash, user_uuid, security_stamp, throttle_key, door, created_at, expires_at) values (?, ?, 0, 'login:x', 'token', ?, ?)",
      )
        .bind(hash, user.uuid, Date.now(), expiresAt)
        .run();
    await insert(`old-${user.uuid}`, Date.now() - 1000);
    await insert(`live-${user.uuid}`, Date.now() + 60_000);
    const logged = await runCron();
    expect(logged.mfaChallenges).toBeGreaterThanOrEqual(1);
    const left = await env.DB.prepare('select hash from mfa_challenges where user_uuid = ?').bind(user.uuid).all<{ hash: string }>();
    expect(left.results.map((r) => r.hash)).toEqual([`live-${user.uuid}`]);
  });
});
