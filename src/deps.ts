import type { Config } from './config';
import type { Db } from './db/client';
import type { ClientInfo } from './lib/client';
import type { VerifyResult } from './lib/password';
import type { Mailer } from './services/email/transport';
import type { ApiKeyUse } from './services/clients/api-key';

/** Password hashing with the configured cost and pepper: a seam the race tests hold still. */
export interface Passwords {
  hash(password: string): Promise<string>;
  verify(password: string, stored: string): Promise<VerifyResult>;
  /** The work of one verification, thrown away (an unknown user costs what a known one does). */
  burn(password: string): Promise<void>;
}

/** What the audit export needs of the AUDIT_QUEUE producer (a Cloudflare Queues `Queue`). */
export type AuditQueue = Pick<Queue, 'sendBatch'>;

/**
 * Everything a use-case service may touch, handed over as one object: storage bindings, the
 * parsed configuration, the clock, the request's id and client, the limiters, the audit export
 * queue and a way to run work after the response. Services take
 * `(deps, input)` and never see Hono, so the JSON routes, the pages and the cron call the same
 * functions. Built per request by src/middleware/context.ts; tests build their own.
 */
export interface Deps {
  db: Db;
  /** Session-revocation records (docs/sessions.md). */
  kv: KVNamespace;
  photos: R2Bucket;
  config: Config;
  now: () => number;
  requestId: string;
  client: ClientInfo;
  /** Workers Rate Limiting bindings (src/services/ip-limits.ts); absent ones limit nothing. */
  limiters: { login?: RateLimit; signup?: RateLimit; photoUser?: RateLimit; photoIp?: RateLimit; health?: RateLimit; email?: RateLimit; client?: RateLimit };
  passwords: Passwords;
  /** The optional AUDIT_QUEUE producer (Cloudflare Queues): every audit event is also sent there (services/audit/export.ts). */
  auditQueue?: AuditQueue;
  /**
   * Runs `work` after the response (the request's `waitUntil`): nothing awaits it, so it must
   * catch its own errors. Tests collect it and await it (`testDeps().settle()`).
   */
  defer: (work: Promise<unknown>) => void;
  /** Sends one message (src/services/email/transport.ts: the EMAIL binding or Resend); only ever called in deferred work. */
  mailer: Mailer;
  /** The request's `X-API-Key`, when it sent one (src/middleware/api-key.ts): its hash, and its client once the first batch checked it. */
  apiKey?: ApiKeyUse;
}
