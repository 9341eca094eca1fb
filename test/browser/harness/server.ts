/**
 * The real worker under `wrangler dev` for one test file (scripts/lib/dev-server.ts): a free
 * port on 127.0.0.1, a throwaway D1/KV/R2 state with the migrations applied, the docs' vendored
 * assets copied first, and its own fresh signing key. Started in beforeAll, stopped in afterAll
 * (which ends exactly the processes it started and removes the state).
 *
 * The key is always a new one passed as a secret, never `.dev.vars`: with any secret given,
 * wrangler reads the secrets file instead of `.dev.vars`, so a developer's local settings
 * (a Turnstile key, say) never change what a test sees. (signingKeySecrets() returns nothing
 * when `.dev.vars` exists, which would leave the worker keyless next to other secrets.)
 *
 * @example
 * const worker = useWorker({ vars: { IP_RATE_LIMIT: 'off' } });
 * const worker = useWorker({ vars: (origin) => ({ PUBLIC_URL: origin }), secrets: { TURNSTILE_SECRET_KEY: '1x0000000000000000000000000000000AA' } });
 * // in a test: await page.goto(worker.url('/login'));
 */
import { afterAll, beforeAll } from 'vitest';
import { generateSigningKey } from '../../../scripts/generate-key';
import { type DevServer, freePort, startDevServer } from '../../../scripts/lib/dev-server';

export interface WorkerOptions {
  /**
   * `[vars]` overrides, or a function of the server's origin (`http://127.0.0.1:<port>`) for
   * vars that must name it (JWT_ISSUER, PUBLIC_URL). Added to the defaults below.
   */
  vars?: Record<string, string> | ((origin: string) => Record<string, string>);
  /** More secrets (the signing key is added). */
  secrets?: Record<string, string>;
}

/** Cheaper password hashing than production's 100,000 iterations, as in the other suites. */
export const DEFAULT_VARS: Readonly<Record<string, string>> = { PASSWORD_ITERATIONS: '10000' };

export interface WorkerHandle {
  /** `http://127.0.0.1:<port>` (from beforeAll on). */
  readonly origin: string;
  /** The absolute URL of a path on the worker: `worker.url('/docs')`. */
  url(path: string): string;
  /** The underlying server: its log file, its state (`server.state.d1(sql)` only while stopped). */
  readonly server: DevServer;
}

/** Starts the worker for this file; see the module example. */
export function useWorker(options: WorkerOptions = {}): WorkerHandle {
  let server: DevServer | undefined;
  beforeAll(async () => {
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    const vars = typeof options.vars === 'function' ? options.vars(origin) : (options.vars ?? {});
    const { privateJwk } = await generateSigningKey('browser-test');
    server = await startDevServer({
      port,
      vars: { ...DEFAULT_VARS, ...vars },
      secrets: { JWT_PRIVATE_KEY: JSON.stringify(privateJwk), ...options.secrets },
    });
  }, 180_000);
  afterAll(async () => {
    await server?.stop();
  });
  const current = () => {
    if (!server) throw new Error('useWorker(): the worker starts in beforeAll; use it inside a test');
    return server;
  };
  return {
    get origin() {
      return current().url;
    },
    url: (path: string) => `${current().url}${path}`,
    get server() {
      return current();
    },
  };
}
