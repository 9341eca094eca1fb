// What `npm run bench` loads: the accounts it sets up through the API, and one request builder
// per scenario. Each `request(state)` is called once per request.
import { randomBytes } from 'node:crypto';

const run = randomBytes(3).toString('hex'); // keeps usernames unique across runs on one state
// Long enough for PASSWORD_MIN_LENGTH, not a common password, no username or e-mail in it.
export const PASSWORD = `Bench-${randomBytes(12).toString('base64url')}`;
let n = 0;

export const account = (tag, i) => ({ username: `b${run}${tag}${i}`, email: `b${run}${tag}${i}@bench.test`, password: PASSWORD, name: 'Bench', surname: 'User' });

const bearer = (token) => ({ authorization: `Bearer ${token}` });
const passwordGrant = (username) => ({ method: 'POST', path: '/token', form: { grant_type: 'password', username, password: PASSWORD } });

/** Encodes {method, path, headers, json | form} into what autocannon and fetch take. */
export function encode({ method = 'GET', path, headers = {}, json, form }) {
  if (json !== undefined) return { method, path, headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(json) };
  if (form !== undefined) return { method, path, headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() };
  return { method, path, headers };
}

/** One request through fetch, for setup: {status, body (parsed JSON when it is JSON)}. */
export async function call(base, req) {
  const { method, path, headers, body } = encode(req);
  const res = await fetch(base + path, { method, headers, body });
  const text = await res.text();
  let parsed = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text for the error message
  }
  return { status: res.status, body: parsed };
}

export async function expect(base, req, status) {
  const res = await call(base, req);
  if (res.status !== status) throw new Error(`${req.method} ${req.path}: expected ${status}, got ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
  return res.body;
}

/** Runs fn over items, `concurrency` at a time; results in input order. */
export async function pool(items, concurrency, fn) {
  const out = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
  return out;
}

/**
 * Logs every account in once: the access token serves the GET scenarios, the refresh token
 * goes into the queue the refresh scenario rotates (a refresh token is single use).
 * accounts[0] is the admin (promoted in D1 before this runs).
 */
export async function signIn(base, accounts) {
  const grants = await pool(accounts, 2, (a) => expect(base, passwordGrant(a.username), 200));
  const access = grants.map((g) => g.access_token);
  const me = await expect(base, { path: '/user/me', headers: bearer(access[0]) }, 200);
  if (me.username !== accounts[0].username || me.role !== 'admin') throw new Error(`GET /user/me answered ${JSON.stringify(me)}`);
  return { usernames: accounts.map((a) => a.username), access, admin: access[0], refresh: grants.map((g) => g.refresh_token) };
}

const ok = (status) => status >= 200 && status < 300;

/** Scenarios by id, in the order they run; `rows` says which table size they need. */
export const SCENARIOS = [
  { id: 'list-100', rows: 'small', name: 'GET /user?limit=20 (admin), 100 users', request: (s) => ({ path: '/user?limit=20', headers: bearer(s.admin) }) },
  { id: 'me', rows: 'small', name: 'GET /user/me', request: (s) => ({ path: '/user/me', headers: bearer(s.access[n++ % s.access.length]) }) },
  { id: 'logins', rows: 'small', name: 'GET /user/me/logins', request: (s) => ({ path: '/user/me/logins', headers: bearer(s.access[n++ % s.access.length]) }) },
  {
    id: 'refresh',
    rows: 'small',
    name: 'POST /token (refresh grant)',
    request: (s) => ({ method: 'POST', path: '/token', form: { grant_type: 'refresh_token', refresh_token: s.refresh.shift() ?? 'refresh-queue-exhausted' } }),
    check: (status, body) => status === 200 && body.includes('"refresh_token"'),
    onResponse: (s, status, body) => {
      if (status === 200) s.refresh.push(JSON.parse(body).refresh_token);
    },
  },
  {
    id: 'password',
    rows: 'small',
    name: 'POST /token (password grant)',
    request: (s) => passwordGrant(s.usernames[n++ % s.usernames.length]),
    check: (status, body) => status === 200 && body.includes('"access_token"'),
  },
  { id: 'signup', rows: 'small', name: 'POST /user (sign-up)', request: () => ({ method: 'POST', path: '/user', json: account('l', n++) }), check: (status) => status === 201 },
  { id: 'list-100k', rows: 'large', name: 'GET /user?limit=20 (admin), 100,000 users', request: (s) => ({ path: '/user?limit=20', headers: bearer(s.admin) }) },
  {
    id: 'list-100k-deep',
    rows: 'large',
    name: 'GET /user?limit=20&cursor=(middle) (admin), 100,000 users',
    request: (s) => ({ path: `/user?limit=20&cursor=${s.middleCursor}`, headers: bearer(s.admin) }),
  },
].map((s) => ({ check: ok, ...s }));
