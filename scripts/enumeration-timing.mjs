// `npm run timing [-- --rounds N]`: measures whether POST /token answers an unknown user as
// fast as a wrong password for a real one (the dummy PBKDF2 of burnPasswordWork).
// Starts `wrangler dev --local` on a free port with a throwaway D1/KV/R2 directory (local dev
// data untouched) and IP_RATE_LIMIT=off, signs users up, then alternates wrong-password and
// unknown-user password grants, one at a time, and prints the latency of each kind.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair } from 'jose';

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const ROUNDS = flag('rounds', 200);
const WARMUP = flag('warmup', 10);
// The per-name throttle blocks from the 5th consecutive failure: use each real user 4 times.
const FREE_FAILURES = 4;

const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

const dir = mkdtempSync(join(tmpdir(), 'userauth-timing-'));
const devArgs = ['dev', '--local', '--ip', '127.0.0.1', '--persist-to', dir, '--var', 'IP_RATE_LIMIT:off', '--show-interactive-dev-session=false', '--log-level', 'warn'];
if (!existsSync('.dev.vars')) {
  // Same kind of key as scripts/start.mjs makes, but in the temp dir: .dev.vars is not created.
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: 'timing', alg: 'ES256' };
  writeFileSync(join(dir, 'timing.env'), `JWT_PRIVATE_KEY='${JSON.stringify(jwk)}'\n`, { mode: 0o600 });
  devArgs.push('--env-file', join(dir, 'timing.env'));
}

const migrate = spawnSync('wrangler', ['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', dir], {
  stdio: ['ignore', 'ignore', 'inherit'],
  env: { ...process.env, CI: '1' },
});
if (migrate.status !== 0) process.exit(migrate.status ?? 1);

const port = await freePort();
const base = `http://127.0.0.1:${port}`;
// Own process group, so stopping it also stops the workerd it started.
const dev = spawn('wrangler', [...devArgs, '--port', String(port)], { stdio: ['ignore', 'ignore', 'inherit'], detached: true });
const stop = () => {
  try {
    process.kill(-dev.pid, 'SIGTERM');
  } catch {}
  rmSync(dir, { recursive: true, force: true });
};
process.on('SIGINT', () => (stop(), process.exit(130)));

try {
  await waitForHealth();
  const run = crypto.randomUUID().slice(0, 6);
  const password = `timing run ${run} correct horse staple`;
  const users = [];
  const needed = Math.ceil((ROUNDS + WARMUP) / FREE_FAILURES);
  for (let i = 0; i < needed; i += 1) users.push(await signUp(`t${run}_${i}`, password));

  const wrong = [];
  const unknown = [];
  for (let i = 0; i < ROUNDS + WARMUP; i += 1) {
    const real = users[Math.floor(i / FREE_FAILURES)];
    const ghost = `ghost_${run}_${i}`;
    // Alternate which kind goes first, so drift in the machine's load hits both alike.
    const order = i % 2 === 0 ? ['wrong', 'unknown'] : ['unknown', 'wrong'];
    for (const kind of order) {
      const ms = await timedGrant(kind === 'wrong' ? real : ghost, 'not the password, wrong on purpose');
      if (i >= WARMUP) (kind === 'wrong' ? wrong : unknown).push(ms);
    }
  }
  report(wrong, unknown);
} finally {
  stop();
}

async function waitForHealth() {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${base}/health`)).ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('wrangler dev did not become healthy within 90 s');
}

async function signUp(username, password) {
  const res = await fetch(`${base}/user`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, email: `${username}@example.com`, password, name: 'Timing', surname: 'Probe' }),
  });
  if (res.status !== 201) throw new Error(`sign-up answered ${res.status}: ${await res.text()}`);
  return username;
}

async function timedGrant(username, password) {
  const body = new URLSearchParams({ grant_type: 'password', username, password });
  const started = performance.now();
  const res = await fetch(`${base}/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
  const text = await res.text();
  const ms = performance.now() - started;
  if (res.status !== 400) throw new Error(`expected 400 invalid_grant, got ${res.status}: ${text}`);
  return ms;
}

function quantile(sorted, q) {
  const i = (sorted.length - 1) * q;
  const lo = Math.floor(i);
  return sorted[lo] + (sorted[Math.ceil(i)] - sorted[lo]) * (i - lo);
}

function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  return { n: samples.length, median: quantile(sorted, 0.5), p90: quantile(sorted, 0.9), mean };
}

function report(wrong, unknown) {
  const w = stats(wrong);
  const u = stats(unknown);
  const f = (x) => x.toFixed(2).padStart(8);
  const cpu = cpus();
  console.log(`POST /token password grant latency, ms (${new Date().toISOString()})`);
  console.log(`machine: ${cpu.length} cores, ${cpu[0]?.model ?? 'unknown CPU'}; node ${process.version}; wrangler dev --local, PASSWORD_ITERATIONS from wrangler.toml`);
  console.log(`command: node scripts/enumeration-timing.mjs --rounds ${ROUNDS} --warmup ${WARMUP}`);
  console.log('kind              n    median       p90      mean');
  console.log(`wrong password ${String(w.n).padStart(4)}  ${f(w.median)}  ${f(w.p90)}  ${f(w.mean)}`);
  console.log(`unknown user   ${String(u.n).padStart(4)}  ${f(u.median)}  ${f(u.p90)}  ${f(u.mean)}`);
  const d = u.median - w.median;
  console.log(`difference (unknown - wrong): median ${d.toFixed(2)} ms (${((d / w.median) * 100).toFixed(1)}%), p90 ${(u.p90 - w.p90).toFixed(2)} ms, mean ${(u.mean - w.mean).toFixed(2)} ms`);
  // Each round sent one of each back to back, so the per-round difference cancels load drift.
  const paired = stats(unknown.map((ms, i) => ms - wrong[i]));
  console.log(`paired per-round difference (unknown - wrong): median ${paired.median.toFixed(2)} ms, mean ${paired.mean.toFixed(2)} ms`);
  console.log(`load average at the end (1/5/15 min): ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}
