// `wrangler dev --local` for the benchmark: start it on a persistence directory, find its
// processes, read their CPU time, stop it.
//
// Process tree of `wrangler dev` (wrangler 4):
//   wrangler (node bin) -> wrangler cli (node) -> workerd #1: dev proxy, listens on --port
//                                              -> workerd #2: the worker itself, with the local
//                                                 D1/KV/R2 emulation (SQLite) in the same process
// Every request to --port passes the proxy, then the worker. "Worker CPU" is workerd #2 only.
import { execFileSync, spawn } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'node_modules/.bin');
// node_modules/.bin first: wrangler then runs on the node@24 devDependency, as under `npm run`.
const ENV = { ...process.env, PATH: `${BIN}:${process.env.PATH}`, CI: 'true', WRANGLER_SEND_METRICS: 'false' };

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** A TCP port that is free right now on 127.0.0.1. */
export function freePort() {
  return new Promise((done, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => done(port));
    });
  });
}

/** Runs wrangler to completion in the project (migrations, d1 execute); returns stdout. */
export function wrangler(args) {
  try {
    return execFileSync(join(BIN, 'wrangler'), args, { cwd: ROOT, env: ENV, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 }).toString();
  } catch (err) {
    throw new Error(`wrangler ${args.slice(0, 3).join(' ')} failed:\n${err.stderr?.toString() || err.message}`);
  }
}

export function wranglerVersion() {
  return JSON.parse(readFileSync(join(ROOT, 'node_modules/wrangler/package.json'), 'utf8')).version;
}

/**
 * Starts `wrangler dev --local` on `persist` with `vars` (`--var K:V`) and resolves once
 * GET /health answers. Log output goes to <persist>/wrangler-dev.log.
 */
export async function startDev({ persist, vars = {}, timeoutMs = 90_000 }) {
  const port = await freePort();
  const logFile = join(persist, 'wrangler-dev.log');
  const log = openSync(logFile, 'a');
  const varArgs = Object.entries(vars).flatMap(([k, v]) => ['--var', `${k}:${v}`]);
  // --log-level warn: no log line per request (that costs CPU in the proxy and in node).
  const args = ['dev', '--local', '--ip', '127.0.0.1', '--port', String(port), '--persist-to', persist, '--log-level', 'warn', ...varArgs];
  // detached: its own process group, so stop() ends exactly this tree and nothing else.
  const child = spawn(join(BIN, 'wrangler'), args, { cwd: ROOT, env: ENV, stdio: ['ignore', log, log], detached: true });
  let exited = false;
  child.once('exit', () => (exited = true));
  const stop = async () => {
    signalGroup(child.pid, 'SIGTERM');
    for (let i = 0; i < 50 && !exited; i++) await sleep(100);
    if (!exited) signalGroup(child.pid, 'SIGKILL');
  };

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) throw new Error(`wrangler dev exited early; log:\n${readFileSync(logFile, 'utf8')}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`wrangler dev not ready after ${timeoutMs} ms; log:\n${readFileSync(logFile, 'utf8')}`);
    }
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status < 500) break;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  const procs = findProcesses(child.pid, port);
  return {
    url,
    procs,
    stop,
    workerCpuSeconds: () => cpuSeconds(procs.worker),
    // wrangler dev rebuilds and restarts the worker's workerd when a source file changes;
    // CPU read from the old process would then be wrong.
    restarted: () => findProcesses(child.pid, port).worker !== procs.worker,
  };
}

function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

function children(pid) {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function cmdline(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

/** { proxy, worker }: the two workerd processes under our wrangler; the proxy is the one bound to --port. */
function findProcesses(rootPid, port) {
  const all = [];
  const walk = (pid) => {
    all.push(pid);
    children(pid).forEach(walk);
  };
  walk(rootPid);
  const workerds = all.filter((p) => /\bworkerd serve\b/.test(cmdline(p)));
  const proxy = workerds.find((p) => cmdline(p).includes(`:${port} `));
  const worker = workerds.find((p) => p !== proxy);
  if (!worker) throw new Error(`could not find the worker's workerd process under pid ${rootPid}`);
  return { proxy, worker };
}

/** utime + stime of a process, in seconds (/proc/<pid>/stat fields 14 and 15; 10 ms ticks). */
function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;
}
