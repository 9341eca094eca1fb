// One scenario under autocannon, and the Markdown table of the results.
import autocannon from 'autocannon';
import { encode } from './scenarios.mjs';

/** Loads `sc` for `seconds` over `connections` keep-alive connections. */
export async function load(server, sc, state, { seconds, connections }) {
  let failed = 0;
  let sample;
  const result = await autocannon({
    url: server.url,
    connections,
    duration: seconds,
    requests: [
      {
        setupRequest: (req) => ({ ...req, ...encode(sc.request(state)) }),
        onResponse: (status, body) => {
          if (!sc.check(status, body)) {
            failed++;
            sample ??= `HTTP ${status} ${String(body).slice(0, 200)}`;
          }
          sc.onResponse?.(state, status, body);
        },
      },
    ],
  });
  const responses = ['1xx', '2xx', '3xx', '4xx', '5xx'].reduce((sum, k) => sum + (result[k] ?? 0), 0);
  return { result, responses, failed, sample };
}

/** Warm-up (unmeasured), then a measured run with the worker's CPU time around it. */
export async function measure(server, sc, state, { warmup, duration, connections }) {
  if (warmup > 0) await load(server, sc, state, { seconds: warmup, connections });
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

export function table(rows) {
  const cols = [
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
  const widths = cols.map(([h], i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (vals) => `| ${vals.map((v, i) => (i ? v.padStart(widths[i]) : v.padEnd(widths[i]))).join(' | ')} |`;
  return [line(cols.map(([h]) => h)), `|${widths.map((w, i) => (i ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`, ...cells.map(line)].join('\n');
}
