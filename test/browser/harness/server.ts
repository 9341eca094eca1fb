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
 * // Data put in before the start (the real admin CLI on the same state), kept for the tests:
 * const worker = useWorker({ seed: (state) => admin(state.dir, 'create-org', 'Docs') });
 * // in a test: await page.goto(worker.url('/login')); worker.seeded …
 */
import { afterAll, beforeAll } from 'vitest';
import { generateSigningKey } from '../../../scripts/generate-key';
import { createDevState, type DevServer, type DevState, freePort, startDevServer } from '../../../scripts/lib/dev-server';

export interface WorkerOptions<Seeded = undefined> {
  /**
   * `[vars]` overrides, or a function of the server's origin (`http://127.0.0.1:<port>`) for
   * vars that must name it (JWT_ISSUER, PUBLIC_URL). Added to the defaults below.
   */
  vars?: Record<string, string> | ((origin: string) => Record<string, string>);
  /** More secrets (the signing key is added). */
  secrets?: Record<string, string>;
  /**
   * Run on the fresh, migrated state before the server starts on it (the only time
   * `state.d1(sql)` or a `wrangler … --local --persist-to state.dir` may write to it: the
   * server's workerd then holds the SQLite files). Its result is `worker.seeded`.
   */
  seed?: (state: DevState) => Seeded | Promise<Seeded>;
}

/** Cheaper password hashing than production's 100,000 iterations, as in the other suites. */
export const DEFAULT_VARS: Readonly<Record<string, string>> = { PASSWORD_ITERATIONS: '10000' };

export interface WorkerHandle<Seeded = undefined> {
  /** `http://127.0.0.1:<port>` (from beforeAll on). */
  readonly origin: string;
  /** The absolute URL of a path on the worker: `worker.url('/docs')`. */
  url(path: string): string;
  /** The underlying server: its log file, its state (`server.state.d1(sql)` only while stopped). */
  readonly server: DevServer;
  /** What `seed` returned (from beforeAll on). */
  readonly seeded: Seeded;
}

/** Starts the worker for this file; see the module example. */
export function useWorker<Seeded = undefined>(options: WorkerOptions<Seeded> = {}): WorkerHandle<Seeded> {
  let server: DevServer | undefined;
  // With a seed the state is made here (startDevServer then leaves it alone), so afterAll removes it.
  let state: DevState | undefined;
  let seeded: { value: Seeded } | undefined;
  beforeAll(async () => {
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    const vars = typeof options.vars === 'function' ? options.vars(origin) : (options.vars ?? {});
    const { privateJwk } = await generateSigningKey('browser-test');
    if (options.seed) {
      state = createDevState('userauth-browser-');
      seeded = { value: await options.seed(state) };
    }
    server = await startDevServer({
      port,
      vars: { ...DEFAULT_VARS, ...vars },
      secrets: { JWT_PRIVATE_KEY: JSON.stringify(privateJwk), ...options.secrets },
      state,
    });
  }, 180_000);
  afterAll(async () => {
    await server?.stop();
    state?.remove();
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
    get seeded() {
      current();
      return seeded?.value as Seeded;
    },
  };
}
