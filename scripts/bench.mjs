// `npm run bench [-- --duration 10 --warmup 2 --connections 10 --only me,refresh]`
//
// Load-tests the worker under `wrangler dev --local` on a fresh temporary D1/KV/R2 state and
// prints a Markdown table: req/s, p50/p99 latency and the worker's CPU ms per response.
//   1. migrations into a new --persist-to directory; the signing key from .dev.vars, or a fresh
//      one passed with --var; IP_RATE_LIMIT=off (every request comes from 127.0.0.1);
//   2. 100 accounts signed up through the API; the first is made admin in D1 (server stopped:
//      its workerd holds the SQLite file);
//   3. every account logs in once; the 100-user scenarios run;
//   4. users seeded in D1 up to 100,000 rows (scripts/bench/seed.mjs); the listing runs again.
// Scenario ids for --only: list-100, me, logins, refresh, password, signup, list-100k, list-100k-deep.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT, startDev, wrangler, wranglerVersion } from './bench/devserver.mjs';
import { measure, table } from './bench/load.mjs';
import { account, expect, pool, SCENARIOS, signIn } from './bench/scenarios.mjs';
import { seedUsers } from './bench/seed.mjs';
import { generateSigningKey } from './generate-key.mjs';

const SMALL_USERS = 100;
const LARGE_USERS = 100_000;

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

const persist = mkdtempSync(join(tmpdir(), 'userauth-bench-'));
const vars = { IP_RATE_LIMIT: 'off' };
if (!existsSync(join(ROOT, '.dev.vars'))) {
  vars.JWT_PRIVATE_KEY = JSON.stringify((await generateSigningKey('bench')).privateJwk);
}
let server;
const cleanUp = async () => {
  await server?.stop();
  rmSync(persist, { recursive: true, force: true });
};
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => cleanUp().finally(() => process.exit(130)));

const log = (msg) => console.error(`[bench] ${msg}`);
const d1 = (sql) => JSON.parse(wrangler(['d1', 'execute', 'DB', '--local', '--persist-to', persist, '--json', '--command', sql]))[0].results;
const rows = [];
try {
  log(`wrangler ${wranglerVersion()}, Node ${process.version}, ${cpus().length} cores; state in ${persist}`);
  wrangler(['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persist]);

  server = await startDev({ persist, vars });
  const accounts = Array.from({ length: SMALL_USERS }, (_, i) => account('s', i));
  const t0 = Date.now();
  await pool(accounts, 4, (a) => expect(server.url, { method: 'POST', path: '/user', json: a }, 201));
  log(`${SMALL_USERS} sign-ups in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  await server.stop();
  // The username is [a-z0-9] only (scenarios.mjs), so it is safe inside the literal.
  d1(`UPDATE users SET role = 'admin' WHERE username_key = '${accounts[0].username.toLowerCase()}'`);

  server = await startDev({ persist, vars });
  const state = await signIn(server.url, accounts);
  log(`workerd pid ${server.procs.worker} (worker), ${server.procs.proxy} (dev proxy)`);
  const run = async (sc) => {
    const row = await measure(server, sc, state, load);
    log(`${sc.id}: ${row.rps.toFixed(1)} req/s, ${row.workerCpuMs.toFixed(2)} ms CPU/req`);
    rows.push(row);
  };
  for (const sc of selected.filter((s) => s.rows === 'small')) await run(sc);
  await server.stop();

  const large = selected.filter((s) => s.rows === 'large');
  if (large.length) {
    const have = d1('SELECT count(*) AS n FROM users')[0].n;
    const uuids = seedUsers(persist, LARGE_USERS - have, { log });
    log(`users in D1: ${d1('SELECT count(*) AS n FROM users')[0].n}`);
    // A cursor pointing at the middle of the table (format of src/lib/pagination.ts encodeCursor).
    state.middleCursor = Buffer.from(`k1:${uuids[Math.floor(uuids.length / 2)]}`).toString('base64url');
    server = await startDev({ persist, vars });
    for (const sc of large) await run(sc);
  }
} finally {
  await cleanUp();
}

console.log(`\n${new Date().toISOString().slice(0, 10)}, wrangler ${wranglerVersion()} dev --local, Node ${process.version}, ${cpus().length} cores;`);
console.log(`${load.connections} connections, ${load.warmup} s warm-up + ${load.duration} s measured per scenario\n`);
console.log(table(rows));
for (const r of rows.filter((r) => r.sample)) console.log(`first failed response in ${r.scenario}: ${r.sample}`);
console.log("\nworker CPU = CPU time of the worker's workerd process (the worker and the local D1/KV/R2 emulation) per response.");
