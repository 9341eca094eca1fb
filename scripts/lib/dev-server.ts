/**
 * `wrangler dev --local` for scripts and Node tests that need the real worker over HTTP: the
 * benchmark (scripts/bench.ts), the enumeration timing (scripts/enumeration-timing.ts) and
 * any test that starts the worker. One implementation, so each of them gets the same
 * isolation: a free port, a throwaway D1/KV/R2 state with the migrations applied (the
 * developer's `.wrangler/state` is never touched), and a stop that ends every process the
 * server started and nothing else.
 *
 * Process tree of `wrangler dev` (wrangler 4):
 *   wrangler (node bin) -> wrangler cli (node) -> workerd #1: dev proxy, listens on --port
 *                                              -> workerd #2: the worker itself, with the local
 *                                                 D1/KV/R2 emulation (SQLite) in the same process
 * The server is spawned detached, as the leader of its own process group, so stop() signals
 * that group by the wrangler PID: workerd goes with it, and no other wrangler on the machine
 * (a developer's `npm start`, a parallel test) is affected.
 *
 * Before it starts, public/vendor/ (the static assets /docs and /redocs load, not in git) is
 * brought up to date from node_modules (scripts/vendor-assets.ts), so a clean clone serves them.
 *
 * @example
 * // In a Node test (test/node/*.test.ts, run by vitest.node.config.ts):
 * import { generateSigningKey } from '../../scripts/generate-key';
 * import { startDevServer } from '../../scripts/lib/dev-server';
 *
 * // A fresh state, IP limits off (every request comes from 127.0.0.1), its own signing key.
 * const { privateJwk } = await generateSigningKey('test');
 * const server = await startDevServer({ vars: { IP_RATE_LIMIT: 'off' }, secrets: { JWT_PRIVATE_KEY: JSON.stringify(privateJwk) } });
 * try {
 *   const res = await fetch(`${server.url}/health`);
 *   console.log(res.status); // 200
 * } finally {
 *   await server.stop(); // ends wrangler and workerd, removes the state directory
 * }
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { vendorAssets } from '../vendor-assets';

/** The project root: wrangler runs here, so it reads wrangler.toml and migrations/. */
export const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'node_modules/.bin');
// node_modules/.bin first: wrangler then runs on the node@24 devDependency, as under `npm run`.
// CI: no interactive prompts or dev-session UI; no metrics from throwaway runs.
const ENV = { ...process.env, PATH: `${BIN}:${process.env.PATH}`, CI: 'true', WRANGLER_SEND_METRICS: 'false' };

/** A `--persist-to` directory holding a local D1, KV and R2. */
export interface DevState {
  /** The directory, for `wrangler ... --local --persist-to <dir>`. */
  readonly dir: string;
  /**
   * Runs SQL on this state's D1 (`wrangler d1 execute --local`) and returns the first
   * statement's rows, typed as the caller's SELECT names them. Only while no server runs on
   * the state: its workerd holds the same SQLite file.
   */
  d1<Row>(sql: string): Row[];
  /** Deletes the directory. */
  remove(): void;
}

export interface DevServerOptions {
  /** `--var NAME:VALUE` overrides of wrangler.toml's `[vars]`, e.g. `{ IP_RATE_LIMIT: 'off' }`. */
  vars?: Record<string, string>;
  /**
   * Secrets such as JWT_PRIVATE_KEY, written to a mode-0600 env file in the state directory and
   * passed with `--env-file`, so they stay out of the command line `ps` shows. When given,
   * wrangler reads this file instead of `.dev.vars`; see signingKeySecrets() to keep
   * `.dev.vars` when the project has one.
   */
  secrets?: Record<string, string>;
  /**
   * The state to run on, from createDevState(), to keep data across restarts (the benchmark
   * stops the server to seed D1, then starts it again); the caller removes it. By default a
   * fresh migrated state is made, and stop() removes it.
   */
  state?: DevState;
  /** The port to listen on (from freePort()), when a var must name the URL before the start. Default: a free one. */
  port?: number;
  /** Path polled until the worker answers it with a status below 500. Default `/health`. */
  readyPath?: string;
  /** How long to wait for that answer before giving up. Default 90 s (a cold build is slow). */
  timeoutMs?: number;
}

export interface DevServer {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  readonly url: string;
  readonly port: number;
  /** PID of the wrangler process, leader of the process group stop() signals. */
  readonly pid: number;
  readonly state: DevState;
  /** wrangler's output (warnings and errors only: --log-level warn), inside the state directory. */
  readonly logFile: string;
  /**
   * Ends the server's process group (SIGTERM, SIGKILL after 5 s) and waits until none of its
   * processes is left, then removes the state if this server made it. Safe to call twice.
   */
  stop(): Promise<void>;
}

/** Runs wrangler to completion in the project (migrations, d1 execute); returns stdout. */
export function wrangler(args: string[]): string {
  try {
    return execFileSync(join(BIN, 'wrangler'), args, { cwd: ROOT, env: ENV, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 }).toString();
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString();
    throw new Error(`wrangler ${args.slice(0, 3).join(' ')} failed:\n${stderr || (err as Error).message}`);
  }
}

/** The project's own wrangler version (node_modules), for reports. */
export function wranglerVersion(): string {
  return (JSON.parse(readFileSync(join(ROOT, 'node_modules/wrangler/package.json'), 'utf8')) as { version: string }).version;
}

/** A new temporary state directory with every D1 migration applied. */
export function createDevState(prefix = 'userauth-dev-'): DevState {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const state: DevState = {
    dir,
    d1<Row>(sql: string): Row[] {
      const out = JSON.parse(wrangler(['d1', 'execute', 'DB', '--local', '--persist-to', dir, '--json', '--command', sql])) as { results: Row[] }[];
      return out[0]?.results ?? [];
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
  try {
    wrangler(['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', dir]);
  } catch (err) {
    state.remove();
    throw err;
  }
  return state;
}

/**
 * The secrets that give a dev server a signing key: none when the project has `.dev.vars`
 * (wrangler then reads it, as under `npm start`), else a throwaway ES256 key with `kid`, so
 * a fresh checkout can run the benchmark or the timing without creating `.dev.vars`.
 */
export async function signingKeySecrets(kid: string): Promise<Record<string, string>> {
  if (existsSync(join(ROOT, '.dev.vars'))) return {};
  // Imported here: generate-key pulls in jose, which callers passing their own secrets skip.
  const { generateSigningKey } = await import('../generate-key');
  return { JWT_PRIVATE_KEY: JSON.stringify((await generateSigningKey(kid)).privateJwk) };
}

/** A TCP port that is free right now on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => (port ? done(port) : fail(new Error('no port assigned'))));
    });
  });
}

/** An env file of `secrets`, single-quoted (dotenv takes those literally). */
function envFile(secrets: Record<string, string>): string {
  return Object.entries(secrets)
    .map(([name, value]) => {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`not a secret name: ${name}`);
      if (/['\r\n]/.test(value)) throw new Error(`secret ${name}: quotes and line breaks are not supported`);
      return `${name}='${value}'\n`;
    })
    .join('');
}

/** Signals the process group led by `pid`; false when none of its processes is left. */
function signalGroup(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

const tail = (file: string) => {
  try {
    return readFileSync(file, 'utf8').slice(-4000);
  } catch {
    return '(no log)';
  }
};

/**
 * Starts `wrangler dev --local` on a free port and resolves once the worker answers. See the
 * module comment for an example; `stop()` it in a `finally`.
 */
export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const { vars = {}, secrets, readyPath = '/health', timeoutMs = 90_000 } = options;
  vendorAssets();
  const ownsState = !options.state;
  const state = options.state ?? createDevState();
  const port = options.port ?? (await freePort());
  const logFile = join(state.dir, 'wrangler-dev.log');
  const args = [
    'dev',
    '--local',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--persist-to',
    state.dir,
    // warn: no log line per request (that costs CPU in the proxy and in node, and the bench measures CPU).
    '--log-level',
    'warn',
    '--show-interactive-dev-session=false',
    ...Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}:${v}`]),
  ];
  if (secrets && Object.keys(secrets).length > 0) {
    const file = join(state.dir, `secrets-${port}.env`);
    writeFileSync(file, envFile(secrets), { mode: 0o600 });
    args.push('--env-file', file);
  }

  const log = openSync(logFile, 'a');
  let child: ChildProcess;
  try {
    // detached: its own process group, so stop() ends exactly this tree and nothing else.
    child = spawn(join(BIN, 'wrangler'), args, { cwd: ROOT, env: ENV, stdio: ['ignore', log, log], detached: true });
  } finally {
    closeSync(log); // the child holds its own copy
  }
  let exited = false;
  child.once('exit', () => (exited = true));
  // A spawn failure (no wrangler installed) comes as an 'error' event, fatal when unhandled.
  let spawnError: Error | undefined;
  child.once('error', (err) => {
    spawnError = err;
    exited = true;
  });
  const pid = child.pid;
  if (pid === undefined) {
    if (ownsState) state.remove();
    await sleep(0); // let the 'error' event arrive, for its message
    throw new Error(`could not start wrangler dev: ${spawnError?.message ?? 'no pid'}`);
  }

  // If the script exits without stop() (an uncaught error, process.exit), end the server anyway:
  // a detached wrangler would otherwise outlive it, holding the port and the state.
  const onExit = () => {
    signalGroup(pid, 'SIGTERM');
    if (ownsState) state.remove();
  };
  process.once('exit', onExit);

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      process.off('exit', onExit);
      signalGroup(pid, 'SIGTERM');
      for (let i = 0; i < 50 && signalGroup(pid, 0); i++) await sleep(100);
      if (signalGroup(pid, 'SIGKILL')) for (let i = 0; i < 20 && signalGroup(pid, 0); i++) await sleep(100);
      if (ownsState) state.remove();
    })());

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) {
      const message = `wrangler dev exited early; log:\n${tail(logFile)}`;
      await stop();
      throw new Error(message);
    }
    if (Date.now() > deadline) {
      const message = `wrangler dev not ready after ${timeoutMs} ms; log:\n${tail(logFile)}`;
      await stop();
      throw new Error(message);
    }
    try {
      const res = await fetch(`${url}${readyPath}`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status < 500) break;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  return { url, port, pid, state, logFile, stop };
}
