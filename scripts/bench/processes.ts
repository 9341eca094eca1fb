// Which workerd process of a `wrangler dev` is the worker, and its CPU time: what the
// benchmark's "worker CPU ms/req" column divides by the responses. Linux only (/proc).
// The process tree is described in scripts/lib/dev-server.ts: every request passes the dev
// proxy (workerd #1, bound to --port) and then the worker (workerd #2); only #2 is counted.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { DevServer } from '../lib/dev-server';

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** The two workerd processes under a dev server. */
export interface WorkerProcesses {
  proxy: number | undefined;
  worker: number;
}

/** A dev server as the benchmark measures it. */
export interface BenchServer {
  url: string;
  procs: WorkerProcesses;
  /** utime + stime of the worker's workerd so far, in seconds. */
  workerCpuSeconds(): number;
  /**
   * wrangler dev rebuilds and restarts the worker's workerd when a source file changes; CPU
   * read from the old process would then be wrong.
   */
  restarted(): boolean;
}

function children(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return '';
  }
}

/** { proxy, worker }: the two workerd processes under our wrangler; the proxy is the one bound to --port. */
export function findProcesses(rootPid: number, port: number): WorkerProcesses {
  const all: number[] = [];
  const walk = (pid: number) => {
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

/** utime + stime of a process, in seconds (/proc/<pid>/stat fields 14 and 15, in clock ticks). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;
}

/** The benchmark's view of a running dev server: its worker process and that process's CPU. */
export function benchServer(server: DevServer): BenchServer {
  const procs = findProcesses(server.pid, server.port);
  return {
    url: server.url,
    procs,
    workerCpuSeconds: () => {
      try {
        return cpuSeconds(procs.worker);
      } catch (err) {
        // The old workerd is gone: say why rather than show a /proc ENOENT.
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('the worker restarted (wrangler dev saw a source file change); run again');
        throw err;
      }
    },
    restarted: () => findProcesses(server.pid, server.port).worker !== procs.worker,
  };
}
