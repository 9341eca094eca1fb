// `npm run bench [-- --duration 10 --warmup 2 --connections 10 --only me,refresh]`
//
// Load-tests the worker under `wrangler dev --local` on a fresh temporary D1/KV/R2 state and
// prints a Markdown table: req/s, p50/p99 latency and the worker's CPU ms per response.
//   1. migrations into a new --persist-to directory; the signing key from .dev.vars, or a fresh
//      throwaway one; IP_RATE_LIMIT=off (every request comes from 127.0.0.1);
//   2. 100 accounts signed up through the API; the first is made admin in D1 (server stopped:
//      its workerd holds the SQLite file);
//   3. every account logs in once; the 100-user scenarios run;
//   4. users seeded in D1 up to 100,000 rows (scripts/bench/seed.ts); the listing runs again;
//   5. the audit events the API wrote so far deleted, exactly 100 seeded (the newest) and the
//      audit listing measured; then seeded up to 1,000,000 (all older) and measured again.
// Scenario ids for --only: list-100, me, me-key, logins, refresh, password, otp, signup, list-100k, list-100k-deep,
// audit-100, audit-100-deep, audit-100-user, audit-100-event, and the same four with audit-1m.
// A phase whose scenarios are all left out by --only is skipped with its seeding.
// The dev server comes from scripts/lib/dev-server.ts, shared with the enumeration timing.
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { generateSigningKey } from './generate-key';
import { generateMfaKey } from './generate-mfa-key';
import { createDevState, type DevServer, startDevServer, wranglerVersion } from './lib/dev-server';
import { measure, type Row, table } from './bench/load';
import { benchServer } from './bench/processes';
import { account, expect, pool, prepareClient, prepareMfa, SCENARIOS, type Scenario, signIn } from './bench/scenarios';
import { type EventPeople, seedEvents, seedUsers } from './bench/seed';

const SMALL_USERS = 100;
const LARGE_USERS = 100_000;
const SMALL_EVENTS = 100;
const LARGE_EVENTS = 1_000_000;

const { values: opt } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    connections: { type: 'string', default: '10' },
    only: { type: 'string' },
  },
});
const load = { duration: Number(opt.duration), warmup: Number(opt.warmup), connections: Number(opt.connections) };
const only = opt.only?.split(',').map((s) => s.trim());
const unknown = only?.filter((id) => !SCENARIOS.some((s) => s.id === id)) ?? [];
if (unknown.length || !(load.duration > 0) || !(load.connections > 0) || !(load.warmup >= 0)) {
  console.error(`usage: npm run bench -- [--duration S] [--warmup S] [--connections N] [--only ${SCENARIOS.map((s) => s.id).join(',')}]`);
  process.exit(2);
}
const selected = SCENARIOS.filter((s) => !only || only.includes(s.id));

const log = (msg: string) => console.error(`[bench] ${msg}`);
// Always its own keys (never .dev.vars): the OTP scenario needs MFA_ENCRYPTION_KEY whatever the local file holds.
const secrets = {
  JWT_PRIVATE_KEY: JSON.stringify((await generateSigningKey('bench')).privateJwk),
  MFA_ENCRYPTION_KEY: generateMfaKey('bench'),
};
// One state for the whole run: the server is stopped and started on it around each D1 change.
const state = createDevState('userauth-bench-');
const devOptions = { state, vars: { IP_RATE_LIMIT: 'off' }, secrets };
let server: DevServer | undefined;
const cleanUp = async () => {
  await server?.stop();
  state.remove();
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void cleanUp().finally(() => process.exit(130)));

const rows: Row[] = [];
try {
  log(`wrangler ${wranglerVersion()}, Node ${process.version}, ${cpus().length} cores; state in ${state.dir}`);
  server = await startDevServer(devOptions);
  const url = server.url;
  const accounts = Array.from({ length: SMALL_USERS }, (_, i) => account('s', i));
  const t0 = Date.now();
  await pool(accounts, 4, (a) => expect(url, { method: 'POST', path: '/user', json: a }, 201));
  log(`${SMALL_USERS} sign-ups in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  await server.stop();
  // The username is [a-z0-9] only (scenarios.ts), so it is safe inside the literal.
  state.d1(`UPDATE users SET role = 'admin' WHERE username_key = '${accounts[0]?.username.toLowerCase()}'`);

  server = await startDevServer(devOptions);
  let bench = benchServer(server);
  const signedIn = await signIn(bench.url, accounts);
  log(`workerd pid ${bench.procs.worker} (worker), ${bench.procs.proxy} (dev proxy)`);
  const run = async (sc: Scenario) => {
    const row = await measure(bench, sc, signedIn, load);
    log(`${sc.id}: ${row.rps.toFixed(1)} req/s, ${row.workerCpuMs.toFixed(2)} ms CPU/req`);
    rows.push(row);
  };
  for (const sc of selected.filter((s) => s.rows === 'small')) {
    if (sc.id === 'otp') {
      const t2 = Date.now();
      signedIn.mfa = await prepareMfa(
        bench.url,
        Array.from({ length: 50 }, (_, i) => account('m', i)),
      );
      log(`${signedIn.mfa.length} mfa_tokens for 50 users with a second factor, in ${((Date.now() - t2) / 1000).toFixed(1)} s`);
    }
    if (sc.id === 'me-key') {
      signedIn.client = await prepareClient(bench.url, signedIn.admin, signedIn.usernames.slice(1));
      log(`a client and ${signedIn.client.access.length} access tokens obtained with its key`);
    }
    await run(sc);
  }
  await server.stop();

  const large = selected.filter((s) => s.rows === 'large');
  if (large.length) {
    const count = () => state.d1<{ n: number }>('SELECT count(*) AS n FROM users')[0]?.n ?? 0;
    const uuids = seedUsers(state.dir, LARGE_USERS - count(), { log });
    log(`users in D1: ${count()}`);
    // A cursor pointing at the middle of the table (format of src/lib/pagination.ts encodeCursor).
    signedIn.middleCursor = Buffer.from(`k1:${uuids[Math.floor(uuids.length / 2)]}`).toString('base64url');
    server = await startDevServer(devOptions);
    bench = benchServer(server);
    for (const sc of large) await run(sc);
    await server.stop();
  }

  const auditPhases = [
    { size: SMALL_EVENTS, scenarios: selected.filter((s) => s.rows === 'audit-small') },
    { size: LARGE_EVENTS, scenarios: selected.filter((s) => s.rows === 'audit-large') },
  ].filter((p) => p.scenarios.length);
  if (auditPhases.length) {
    // The usernames are [a-z0-9] only (scenarios.ts), so they are safe inside the literals.
    const uuidOf = (a: (typeof accounts)[number] | undefined) =>
      state.d1<{ uuid: string }>(`SELECT uuid FROM users WHERE username_key = '${a?.username.toLowerCase()}'`)[0]?.uuid ?? '';
    const [first = '', ...others] = state.d1<{ uuid: string }>('SELECT uuid FROM users').map((r) => r.uuid);
    const people: EventPeople = { admin: uuidOf(accounts[0]), hot: uuidOf(accounts[1]), users: [first, ...others] };
    const events = () => state.d1<{ n: number }>('SELECT count(*) AS n FROM audit_events')[0]?.n ?? 0;
    const now = Date.now();
    // What the API recorded during setup and the scenarios goes: the table holds only seeded events.
    state.d1('DELETE FROM audit_events');
    for (const phase of auditPhases) {
      const t1 = Date.now();
      seedEvents(state.dir, { from: events(), count: phase.size - events(), now, people, log });
      const [counts] = state.d1<{ n: number; failed: number; hot: number }>(
        `SELECT count(*) AS n, sum(event = 'login.failed') AS failed, sum(subject_uuid = '${people.hot}') AS hot FROM audit_events`,
      );
      if (counts?.n !== phase.size) throw new Error(`expected ${phase.size} audit events in D1, found ${counts?.n}`);
      log(
        `audit events in D1: ${counts.n} (${counts.failed} login.failed, ${counts.hot} about the filtered user), seeded in ${((Date.now() - t1) / 1000).toFixed(1)} s`,
      );
      // A cursor at the middle of the events (format of src/lib/pagination.ts encodeCursor).
      const [middle] = state.d1<{ id: string }>(`SELECT id FROM audit_events ORDER BY id DESC LIMIT 1 OFFSET ${Math.floor(phase.size / 2)}`);
      signedIn.auditCursor = Buffer.from(`k1:${middle?.id}`).toString('base64url');
      signedIn.auditUser = people.hot;
      server = await startDevServer(devOptions);
      bench = benchServer(server);
      for (const sc of phase.scenarios) await run(sc);
      await server.stop();
    }
  }
} finally {
  await cleanUp();
}

console.log(`\n${new Date().toISOString().slice(0, 10)}, wrangler ${wranglerVersion()} dev --local, Node ${process.version}, ${cpus().length} cores;`);
console.log(`${load.connections} connections, ${load.warmup} s warm-up + ${load.duration} s measured per scenario\n`);
console.log(table(rows));
for (const r of rows.filter((r) => r.sample)) console.log(`first failed response in ${r.scenario}: ${r.sample}`);
console.log("\nworker CPU = CPU time of the worker's workerd process (the worker and the local D1/KV/R2 emulation) per response.");
