import { env } from 'cloudflare:workers';
import { loadConfig } from '../../src/config';
import { getDb } from '../../src/db/client';
import type { ClientInfo } from '../../src/lib/client';
import { burnPasswordWork, hashPassword, verifyPassword } from '../../src/lib/password';
import type { Deps } from '../../src/deps';
import type { OutgoingEmail } from '../../src/services/email/messages';

export const TEST_CLIENT: ClientInfo = { ip: '203.0.113.7', userAgent: 'unit-test', country: 'NL' };

export interface TestDeps extends Deps {
  /** Awaits the work the services handed to `defer` (what `waitUntil` runs after the response); rejects if any of it did. */
  settle(): Promise<void>;
  /** Every message the services handed to the mailer (unless a test gave its own `mailer`). */
  sent: OutgoingEmail[];
}

/**
 * The services' dependencies over the test run's real D1, KV and R2, as the worker builds
 * them per request (src/middleware/context.ts), with a fixed clock and client when given.
 * No audit queue unless given; deferred work is collected for `settle()`.
 */
export function testDeps(overrides: Partial<Deps> & { at?: number } = {}): TestDeps {
  const config = overrides.config ?? loadConfig(env);
  const params = { iterations: config.PASSWORD_ITERATIONS, pepper: config.PASSWORD_PEPPER, previousPepper: config.PASSWORD_PEPPER_PREVIOUS };
  const { at, ...rest } = overrides;
  const deferred: Promise<unknown>[] = [];
  const sent: OutgoingEmail[] = [];
  return {
    db: getDb(env.DB),
    kv: env.REVOCATIONS,
    photos: env.PHOTOS,
    config,
    now: at === undefined ? Date.now : () => at,
    requestId: 'test',
    client: TEST_CLIENT,
    limiters: {},
    passwords: {
      hash: (p) => hashPassword(p, params),
      verify: (p, stored) => verifyPassword(p, stored, params),
      burn: (p) => burnPasswordWork(p, params),
    },
    defer: (work) => {
      deferred.push(work);
    },
    mailer: {
      send: async (message) => {
        sent.push(message);
      },
    },
    ...rest,
    sent,
    settle: async () => {
      // Deferred work may defer more: wait until nothing is left.
      while (deferred.length > 0) await Promise.all(deferred.splice(0));
    },
  };
}
