import type { AuditEventRow } from '../../db/schema';
import type { AuditQueue, Deps } from '../../deps';
import { type AuditEventBody, toAuditEventDto } from '../../schemas/audit';

/** One exported event: the event as the API shows it (snake_case, ISO time, `detail` parsed). */
export type { AuditEventBody };

/** Cloudflare Queues: at most 100 messages in one `sendBatch`… */
export const MAX_BATCH_MESSAGES = 100;
/** …and at most 256 KB in all; we count each body's JSON bytes plus a margin for its envelope. */
export const MAX_BATCH_BYTES = 256_000;
const MESSAGE_OVERHEAD_BYTES = 100;

/** The row as the API shows it (one mapper for both: src/schemas/audit.ts). */
export const auditEventBody = toAuditEventDto;

const encoder = new TextEncoder();

/** The messages in order, cut into batches that `sendBatch` accepts (count and bytes). */
export function exportBatches(bodies: AuditEventBody[]): MessageSendRequest<AuditEventBody>[][] {
  const batches: MessageSendRequest<AuditEventBody>[][] = [];
  let current: MessageSendRequest<AuditEventBody>[] = [];
  let bytes = 0;
  for (const body of bodies) {
    const size = encoder.encode(JSON.stringify(body)).byteLength + MESSAGE_OVERHEAD_BYTES;
    if (current.length > 0 && (current.length === MAX_BATCH_MESSAGES || bytes + size > MAX_BATCH_BYTES)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push({ body, contentType: 'json' });
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/**
 * Sends every batch; a batch that fails is logged (the request id, how many events, the error's
 * message: never an event's contents, IPs are personal data) and the others are still sent.
 * Never rejects: the events are in D1 either way.
 */
async function send(queue: AuditQueue, rows: AuditEventRow[], requestId: string): Promise<void> {
  let batches: MessageSendRequest<AuditEventBody>[][];
  try {
    batches = exportBatches(rows.map(auditEventBody));
  } catch (err) {
    logFailure(requestId, rows.length, err);
    return;
  }
  for (const batch of batches) {
    try {
      await queue.sendBatch(batch);
    } catch (err) {
      logFailure(requestId, batch.length, err);
    }
  }
}

const logFailure = (requestId: string, events: number, err: unknown) =>
  console.error(JSON.stringify({ level: 'error', requestId, error: 'audit_export', events, message: err instanceof Error ? err.message : String(err) }));

/**
 * Hands the events a batch committed to the optional AUDIT_QUEUE (Cloudflare Queues) for a SIEM,
 * after the response (`deps.defer`): a failure to send is logged and never fails the request.
 * Call it with the rows the batch's audit inserts RETURNed, once the batch has committed.
 * Without the binding, or without rows, it does nothing.
 */
export function exportEvents(deps: Pick<Deps, 'auditQueue' | 'defer' | 'requestId'>, events: AuditEventRow[]): void {
  const queue = deps.auditQueue;
  if (!queue || events.length === 0) return;
  deps.defer(send(queue, events, deps.requestId));
}
