import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { Hono } from 'hono';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AuditEventRow } from '../../src/db/schema';
import type { AuditQueue } from '../../src/deps';
import type { AppEnv } from '../../src/env';
import { requestId, withDeps } from '../../src/middleware/context';
import { toAuditEventDto } from '../../src/schemas/audit';
import { type AuditEventBody, auditEventBody, exportBatches, exportEvents, MAX_BATCH_BYTES, MAX_BATCH_MESSAGES } from '../../src/services/audit/export';
import { testDeps } from '../helpers/deps';

/**
 * vitest.config.ts binds a real local queue (miniflare's Queues broker) as TEST_AUDIT_QUEUE and
 * an auxiliary worker, `audit-sink`, as its consumer; TEST_AUDIT_SINK lists what it received.
 * The worker under test gets the queue as AUDIT_QUEUE per request, so no other test exports.
 */
const testEnv = env as typeof env & { TEST_AUDIT_QUEUE: Queue; TEST_AUDIT_SINK: Fetcher };

interface Received {
  queue: string;
  id: string;
  attempts: number;
  body: AuditEventBody;
}

const AT = Date.UTC(2026, 9, 20, 12, 0, 0);

const row = (over: Partial<AuditEventRow> = {}): AuditEventRow => ({
  id: crypto.randomUUID(),
  at: AT,
  event: 'user.role_changed',
  actorUuid: crypto.randomUUID(),
  subjectUuid: crypto.randomUUID(),
  ip: '198.51.100.23',
  userAgent: 'audit-export-test',
  country: 'NL',
  clientId: 'first-party',
  detail: '{"from":"normal","to":"admin"}',
  ...over,
});

/** Waits until the sink has received a message for every id (or a few seconds have passed). */
async function delivered(ids: string[], timeoutMs = 5_000): Promise<Received[]> {
  const wanted = new Set(ids);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const all = (await (await testEnv.TEST_AUDIT_SINK.fetch('https://audit-sink/')).json()) as Received[];
    const got = all.filter((m) => wanted.has(m.body.id));
    if (got.length >= wanted.size || Date.now() > deadline) return got;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A route that records `rows` the way a service does: through the request's deps (middleware/context.ts). */
function appExporting(rows: AuditEventRow[]) {
  return new Hono<AppEnv>().use(requestId(), withDeps()).post('/change', (c) => {
    exportEvents(c.var.deps, rows);
    return c.json({ changed: true, exporting: c.var.deps.auditQueue !== undefined });
  });
}

/** Sends one request with AUDIT_QUEUE bound (or not), as the Workers runtime would. */
async function request(rows: AuditEventRow[], queue: AuditQueue | undefined) {
  const ctx = createExecutionContext();
  const bindings = queue ? { ...env, AUDIT_QUEUE: queue } : { ...env };
  const res = await appExporting(rows).fetch(new Request('https://userauth.test/change', { method: 'POST' }), bindings, ctx);
  return { res, afterResponse: () => waitOnExecutionContext(ctx) };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('audit export to AUDIT_QUEUE', () => {
  it('delivers every event of a request through a real local queue, as the API shows it', async () => {
    const rows = [row(), row({ event: 'session.revoked', actorUuid: null, clientId: null, detail: null })];
    const { res, afterResponse } = await request(rows, testEnv.TEST_AUDIT_QUEUE);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ changed: true, exporting: true });
    await afterResponse();

    const got = await delivered(rows.map((r) => r.id));
    expect(got).toHaveLength(2);
    const byId = new Map(got.map((m) => [m.body.id, m]));
    const [first, second] = rows as [AuditEventRow, AuditEventRow];
    expect(byId.get(first.id)?.body).toEqual({
      id: first.id,
      at: '2026-10-20T12:00:00.000Z',
      event: 'user.role_changed',
      actor_uuid: first.actorUuid,
      subject_uuid: first.subjectUuid,
      ip: '198.51.100.23',
      user_agent: 'audit-export-test',
      country: 'NL',
      client_id: 'first-party',
      detail: { from: 'normal', to: 'admin' },
    });
    expect(byId.get(second.id)?.body).toMatchObject({ event: 'session.revoked', actor_uuid: null, client_id: null, detail: null });
    // Exactly what GET /audit shows for the same rows.
    for (const r of rows) expect(byId.get(r.id)?.body).toEqual(toAuditEventDto(r));
    for (const m of got) {
      expect(m.queue).toBe('userauth-audit-test');
      expect(m.attempts).toBe(1);
    }
  });

  it('sends after the response: the response does not wait for the queue', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let sent = false;
    const slowQueue: AuditQueue = {
      sendBatch: async (messages, options) => {
        await gate;
        sent = true;
        return testEnv.TEST_AUDIT_QUEUE.sendBatch(messages, options);
      },
    };
    const rows = [row()];
    const { res, afterResponse } = await request(rows, slowQueue);
    expect(res.status).toBe(200);
    expect(sent).toBe(false);

    release();
    await afterResponse();
    expect(sent).toBe(true);
    expect(await delivered(rows.map((r) => r.id))).toHaveLength(1);
  });

  it('sends more than 100 events in batches of at most 100, and every one arrives', async () => {
    const sizes: number[] = [];
    const counting: AuditQueue = {
      sendBatch: (messages, options) => {
        const batch = [...messages];
        sizes.push(batch.length);
        return testEnv.TEST_AUDIT_QUEUE.sendBatch(batch, options);
      },
    };
    const rows = Array.from({ length: 250 }, () => row());
    const deps = testDeps({ auditQueue: counting });
    exportEvents(deps, rows);
    await deps.settle();

    expect(sizes).toEqual([100, 100, 50]);
    expect(await delivered(rows.map((r) => r.id))).toHaveLength(250);
  });

  it('cuts batches by size too, so large events still arrive', async () => {
    // Three ~100 KB events: together more than a batch may hold (the local queue refuses > 288 KB).
    const rows = Array.from({ length: 3 }, () => row({ userAgent: 'x'.repeat(100_000) }));
    const batches = exportBatches(rows.map(auditEventBody));
    expect(batches.map((b) => b.length)).toEqual([2, 1]);
    for (const b of batches) expect(b.length).toBeLessThanOrEqual(MAX_BATCH_MESSAGES);

    const deps = testDeps({ auditQueue: testEnv.TEST_AUDIT_QUEUE });
    exportEvents(deps, rows);
    await deps.settle();
    const got = await delivered(rows.map((r) => r.id));
    expect(got).toHaveLength(3);
    expect(got.every((m) => m.body.user_agent?.length === 100_000)).toBe(true);
    expect(MAX_BATCH_BYTES).toBeLessThanOrEqual(256 * 1024);
  });

  it('a queue that refuses the events fails nothing and logs only counts and the error, never their contents', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    // A real refusal: the local queue rejects a message over 128 KB.
    const secretish = { ip: '192.0.2.99', userAgent: `Mozilla/5.0 (private) ${'y'.repeat(130_000)}`, detail: '{"reason":"detail-marker"}' };
    const rows = [row(secretish)];
    const { res, afterResponse } = await request(rows, testEnv.TEST_AUDIT_QUEUE);
    expect(res.status).toBe(200);
    await expect(afterResponse()).resolves.toBeUndefined();

    expect(errors).toHaveBeenCalledTimes(1);
    const line = String(errors.mock.calls[0]?.[0]);
    const logged = JSON.parse(line) as Record<string, unknown>;
    expect(logged).toMatchObject({ level: 'error', error: 'audit_export', events: 1 });
    expect(typeof logged.requestId).toBe('string');
    expect(typeof logged.message).toBe('string');
    expect(Object.keys(logged).sort()).toEqual(['error', 'events', 'level', 'message', 'requestId']);
    for (const leak of ['192.0.2.99', 'Mozilla', 'detail-marker', rows[0]?.id, rows[0]?.subjectUuid]) expect(line).not.toContain(leak);
    expect(
      await delivered(
        rows.map((r) => r.id),
        200,
      ),
    ).toHaveLength(0);
  });

  it('a batch that fails does not stop the next, and a queue that throws outright fails nothing', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    let calls = 0;
    const flaky: AuditQueue = {
      sendBatch: (messages, options) => {
        calls += 1;
        if (calls === 1) throw new Error('queue unavailable');
        return testEnv.TEST_AUDIT_QUEUE.sendBatch(messages, options);
      },
    };
    const rows = Array.from({ length: 150 }, () => row());
    const deps = testDeps({ auditQueue: flaky });
    expect(() => exportEvents(deps, rows)).not.toThrow();
    await deps.settle();

    expect(calls).toBe(2);
    expect(errors).toHaveBeenCalledTimes(1);
    expect(JSON.parse(String(errors.mock.calls[0]?.[0]))).toEqual({
      level: 'error',
      requestId: 'test',
      error: 'audit_export',
      events: 100,
      message: 'queue unavailable',
    });
    expect(await delivered(rows.slice(100).map((r) => r.id))).toHaveLength(50);
  });

  it('sends nothing without the binding, or without events', async () => {
    const rows = [row()];
    const { res, afterResponse } = await request(rows, undefined);
    expect(await res.json()).toEqual({ changed: true, exporting: false });
    await afterResponse();

    const defer = vi.fn();
    exportEvents(testDeps({ defer }), rows);
    const sendBatch = vi.fn<AuditQueue['sendBatch']>();
    exportEvents(testDeps({ defer, auditQueue: { sendBatch } }), []);
    expect(defer).not.toHaveBeenCalled();
    expect(sendBatch).not.toHaveBeenCalled();
    expect(
      await delivered(
        rows.map((r) => r.id),
        200,
      ),
    ).toHaveLength(0);
  });
});
