// `npm run timing [-- --rounds N --warmup N --door token|page|forgot]`: measures whether POST /token
// and the login page (POST /login) answer an unknown user as fast as a wrong password for a real one
// (the dummy PBKDF2 of burnPasswordWork), and whether POST /password/forgot answers an unknown
// address as fast as a known one (the same D1 batch; the message is sent after the response);
// every door unless --door names one.
// Starts `wrangler dev --local` (scripts/lib/dev-server.ts) on a free port with a throwaway
// D1/KV/R2 directory (local dev data untouched) and IP_RATE_LIMIT=off, signs users up, then
// alternates wrong-password and unknown-user password grants, one at a time, and prints the
// latency of each kind.
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import { FREE_FAILURES } from '../src/services/throttle';
import { type DevServer, signingKeySecrets, startDevServer } from './lib/dev-server';

const args = process.argv.slice(2);
const flag = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const ROUNDS = flag('rounds', 200);
/** Messages per address in an hour before /password/forgot answers 429: EMAIL_LIMIT_PER_WINDOW (src/services/email/statements.ts, worker code). */
const FORGOT_PER_ADDRESS = 5;
const WARMUP = flag('warmup', 10);
const doorFlag = args.indexOf('--door');
const DOORS = doorFlag >= 0 ? [args[doorFlag + 1] as Door] : (['token', 'page', 'forgot'] as const);
type Door = 'token' | 'page' | 'forgot';

interface Stats {
  n: number;
  median: number;
  p90: number;
  mean: number;
}

// .dev.vars when present, otherwise a throwaway key (no .dev.vars is created).
const server: DevServer = await startDevServer({ vars: { IP_RATE_LIMIT: 'off' }, secrets: await signingKeySecrets('timing') });
const base = server.url;
process.on('SIGINT', () => void server.stop().finally(() => process.exit(130)));

try {
  for (const door of DOORS) await measure(door);
} finally {
  await server.stop();
}

async function measure(door: Door) {
  if (door === 'forgot') return measureForgot();
  const run = crypto.randomUUID().slice(0, 6);
  // Random, so no policy rule (common words, the user's name or username) can refuse it.
  const password = `Pw-${randomBytes(16).toString('base64url')}`;
  const users: string[] = [];
  // The per-name throttle (src/services/throttle.ts) blocks from the failure after FREE_FAILURES
  // consecutive ones: each real user takes that many wrong passwords, so the throttle never answers.
  const needed = Math.ceil((ROUNDS + WARMUP) / FREE_FAILURES);
  for (let i = 0; i < needed; i += 1) users.push(await signUp(`t${run}_${i}`, password));
  const attempt = door === 'token' ? timedGrant : await pageLogin();

  const wrong: number[] = [];
  const unknown: number[] = [];
  for (let i = 0; i < ROUNDS + WARMUP; i += 1) {
    const real = users[Math.floor(i / FREE_FAILURES)] ?? '';
    const ghost = `ghost_${run}_${i}`;
    // Alternate which kind goes first, so drift in the machine's load hits both alike.
    const order = i % 2 === 0 ? (['wrong', 'unknown'] as const) : (['unknown', 'wrong'] as const);
    for (const kind of order) {
      const ms = await attempt(kind === 'wrong' ? real : ghost, 'not the password, wrong on purpose');
      if (i >= WARMUP) (kind === 'wrong' ? wrong : unknown).push(ms);
    }
  }
  report(door === 'token' ? 'POST /token password grant' : 'POST /login (the page)', wrong, unknown);
}

/** POST /password/forgot for a signed-up address and for one nobody has, alternating, one at a time. */
async function measureForgot() {
  const run = crypto.randomUUID().slice(0, 6);
  const password = `Pw-${randomBytes(16).toString('base64url')}`;
  const known: string[] = [];
  // Each address takes FORGOT_PER_ADDRESS requests, so its throttle never answers (unknown ones are new each round).
  for (let i = 0; i < Math.ceil((ROUNDS + WARMUP) / FORGOT_PER_ADDRESS); i += 1) known.push(`${await signUp(`f${run}_${i}`, password)}@example.com`);
  const timed = async (email: string) => {
    const started = performance.now();
    const res = await fetch(`${base}/password/forgot`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email }) });
    const text = await res.text();
    const ms = performance.now() - started;
    if (res.status !== 202) throw new Error(`expected 202, got ${res.status}: ${text}`);
    return ms;
  };
  const knownMs: number[] = [];
  const unknownMs: number[] = [];
  for (let i = 0; i < ROUNDS + WARMUP; i += 1) {
    const order = i % 2 === 0 ? (['known', 'unknown'] as const) : (['unknown', 'known'] as const);
    for (const kind of order) {
      const ms = await timed(kind === 'known' ? known[Math.floor(i / FORGOT_PER_ADDRESS)]! : `ghost_${run}_${i}@example.com`);
      if (i >= WARMUP) (kind === 'known' ? knownMs : unknownMs).push(ms);
    }
  }
  report('POST /password/forgot', knownMs, unknownMs, ['known address', 'unknown address']);
}

async function signUp(username: string, password: string): Promise<string> {
  const res = await fetch(`${base}/user`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, email: `${username}@example.com`, password, name: 'Timing', surname: 'Probe' }),
  });
  if (res.status !== 201) throw new Error(`sign-up answered ${res.status}: ${await res.text()}`);
  return username;
}

async function timedGrant(username: string, password: string): Promise<number> {
  const body = new URLSearchParams({ grant_type: 'password', username, password });
  const started = performance.now();
  const res = await fetch(`${base}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
  const text = await res.text();
  const ms = performance.now() - started;
  if (res.status !== 400) throw new Error(`expected 400 invalid_grant, got ${res.status}: ${text}`);
  return ms;
}

/** A page login as a browser sends it: the pre-session cookie and CSRF token of one GET /login, this origin. */
async function pageLogin(): Promise<(username: string, password: string) => Promise<number>> {
  const page = await fetch(`${base}/login`);
  const cookie = page.headers.getSetCookie()[0]!.split(';')[0]!;
  const csrf = /name="csrf" value="([^"]+)"/.exec(await page.text())![1]!;
  return async (username, password) => {
    const body = new URLSearchParams({ csrf, username, password });
    const headers = { 'content-type': 'application/x-www-form-urlencoded', cookie, origin: base };
    const started = performance.now();
    const res = await fetch(`${base}/login`, { method: 'POST', headers, body, redirect: 'manual' });
    const text = await res.text();
    const ms = performance.now() - started;
    if (res.status !== 400) throw new Error(`expected the 400 login page, got ${res.status}: ${text.slice(0, 200)}`);
    return ms;
  };
}

function quantile(sorted: readonly number[], q: number): number {
  const i = (sorted.length - 1) * q;
  const lo = sorted[Math.floor(i)] ?? Number.NaN;
  const hi = sorted[Math.ceil(i)] ?? Number.NaN;
  return lo + (hi - lo) * (i - Math.floor(i));
}

function stats(samples: readonly number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  return { n: samples.length, median: quantile(sorted, 0.5), p90: quantile(sorted, 0.9), mean };
}

function report(door: string, wrong: readonly number[], unknown: readonly number[], labels = ['wrong password', 'unknown user']): void {
  const w = stats(wrong);
  const u = stats(unknown);
  const f = (x: number) => x.toFixed(2).padStart(8);
  const cpu = cpus();
  console.log(`${door} latency, ms (${new Date().toISOString()})`);
  console.log(
    `machine: ${cpu.length} cores, ${cpu[0]?.model ?? 'unknown CPU'}; node ${process.version}; wrangler dev --local, PASSWORD_ITERATIONS from wrangler.toml`,
  );
  console.log(`command: npm run timing -- --rounds ${ROUNDS} --warmup ${WARMUP}${doorFlag >= 0 ? ` --door ${DOORS[0]}` : ''}`);
  const [a, b] = labels.map((l) => l.padEnd(15));
  console.log('kind               n    median       p90      mean');
  console.log(`${a} ${String(w.n).padStart(4)}  ${f(w.median)}  ${f(w.p90)}  ${f(w.mean)}`);
  console.log(`${b} ${String(u.n).padStart(4)}  ${f(u.median)}  ${f(u.p90)}  ${f(u.mean)}`);
  const d = u.median - w.median;
  console.log(
    `difference (${labels[1]} - ${labels[0]}): median ${d.toFixed(2)} ms (${((d / w.median) * 100).toFixed(1)}%), p90 ${(u.p90 - w.p90).toFixed(2)} ms, mean ${(u.mean - w.mean).toFixed(2)} ms`,
  );
  // Each round sent one of each back to back, so the per-round difference cancels load drift.
  const paired = stats(unknown.map((ms, i) => ms - (wrong[i] ?? Number.NaN)));
  console.log(`paired per-round difference (${labels[1]} - ${labels[0]}): median ${paired.median.toFixed(2)} ms, mean ${paired.mean.toFixed(2)} ms`);
  console.log(
    `load average at the end (1/5/15 min): ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
}
