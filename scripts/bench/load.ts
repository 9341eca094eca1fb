// One scenario under autocannon, and the Markdown table of the results.
import autocannon, { type Request, type Result } from 'autocannon';
import type { BenchServer } from './processes';
import { type BenchState, encode, type Scenario } from './scenarios';

export interface LoadOptions {
  /** Seconds measured per scenario. */
  duration: number;
  /** Seconds of unmeasured load before, so the isolate and SQLite caches are warm. */
  warmup: number;
  connections: number;
}

/** One line of the results table. */
export interface Row {
  scenario: string;
  rps: number;
  p50: number;
  p99: number;
  responses: number;
  failed: number;
  errors: number;
  workerCpuMs: number;
  /** The first response that failed its check, for the report. */
  sample: string | undefined;
}

/** Loads `sc` for `seconds` over `connections` keep-alive connections. */
export async function load(server: BenchServer, sc: Scenario, state: BenchState, { seconds, connections }: { seconds: number; connections: number }) {
  let failed = 0;
  let sample: string | undefined;
  const result: Result = await autocannon({
    url: server.url,
    connections,
    // A scenario of single-use requests (the OTP grant) sends exactly as many as were prepared.
    ...(sc.amount === undefined ? { duration: seconds } : { amount: sc.amount(state) }),
    requests: [
      {
        setupRequest: (req: Request) => ({ ...req, ...encode(sc.request(state)) }),
        onResponse: (status: number, body: string) => {
          if (!sc.check(status, body)) {
            failed++;
            sample ??= `HTTP ${status} ${String(body).slice(0, 200)}`;
          }
          sc.onResponse?.(state, status, body);
        },
      },
    ],
  });
  const responses = (['1xx', '2xx', '3xx', '4xx', '5xx'] as const).reduce((sum, k) => sum + (result[k] ?? 0), 0);
  return { result, responses, failed, sample };
}

/** Warm-up (unmeasured), then a measured run with the worker's CPU time around it. */
export async function measure(server: BenchServer, sc: Scenario, state: BenchState, { warmup, duration, connections }: LoadOptions): Promise<Row> {
  if (warmup > 0 && sc.amount === undefined) await load(server, sc, state, { seconds: warmup, connections });
  const cpu0 = server.workerCpuSeconds();
  const r = await load(server, sc, state, { seconds: duration, connections });
  const cpu = server.workerCpuSeconds() - cpu0;
  if (server.restarted()) throw new Error(`the worker restarted during "${sc.name}" (wrangler dev saw a source file change); run again`);
  return {
    scenario: sc.name,
    rps: r.responses / r.result.duration,
    p50: r.result.latency.p50,
    p99: r.result.latency.p99,
    responses: r.responses,
    failed: r.failed,
    errors: r.result.errors + r.result.timeouts,
    workerCpuMs: (cpu * 1000) / Math.max(r.responses, 1),
    sample: r.sample,
  };
}

export function table(rows: readonly Row[]): string {
  const cols: [string, (r: Row) => string][] = [
    ['scenario', (r) => r.scenario],
    ['req/s', (r) => r.rps.toFixed(1)],
    ['p50 ms', (r) => String(r.p50)],
    ['p99 ms', (r) => String(r.p99)],
    ['responses', (r) => String(r.responses)],
    ['failed', (r) => String(r.failed)],
    ['errors', (r) => String(r.errors)],
    ['worker CPU ms/req', (r) => r.workerCpuMs.toFixed(2)],
  ];
  const cells = rows.map((r) => cols.map(([, f]) => f(r)));
  const widths = cols.map(([h], i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (vals: string[]) => `| ${vals.map((v, i) => (i ? v.padStart(widths[i] ?? 0) : v.padEnd(widths[i] ?? 0))).join(' | ')} |`;
  return [line(cols.map(([h]) => h)), `|${widths.map((w, i) => (i ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`, ...cells.map(line)].join('\n');
}
