// What `npm run bench` loads: the accounts it sets up through the API, and one request builder
// per scenario. Each `request(state)` is called once per request.
import { randomBytes } from 'node:crypto';
import { base32Decode, hotp } from '../../src/lib/totp';

const run = randomBytes(3).toString('hex'); // keeps usernames unique across runs on one state
// Long enough for PASSWORD_MIN_LENGTH, random, and free of the username, e-mail and name
// ('Bench User'), so no rule of the password policy refuses it.
export const PASSWORD = `Pw-${randomBytes(16).toString('base64url')}`;
let n = 0;

/** A sign-up body (POST /user). */
export interface Account {
  username: string;
  email: string;
  password: string;
  name: string;
  surname: string;
}

/** A request before encoding: a JSON body or a form, never both. */
export interface BenchRequest {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  json?: unknown;
  form?: Record<string, string>;
}

/** What autocannon and fetch take. */
export interface EncodedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** What the scenarios share: tokens from signIn(), and the cursors set before the large listings. */
export interface BenchState {
  usernames: string[];
  access: string[];
  admin: string;
  /** Single-use refresh tokens: the refresh scenario takes one and puts back its successor. */
  refresh: string[];
  middleCursor?: string;
  /** GET /audit: the user most events are about (the seed's `hot`), and a cursor at the middle of the events. */
  auditUser?: string;
  auditCursor?: string;
  /** Single-use second steps for the OTP grant: an mfa_token and a code of a step not yet used. */
  mfa?: { token: string; otp: string }[];
  /** A third-party client's key, and access tokens obtained with it (they work only with it). */
  client?: { key: string; access: string[] };
}

/**
 * Which data a scenario needs: 'small' runs on 100 users, 'large' after the seed to 100,000,
 * 'audit-small' on exactly 100 seeded audit events, 'audit-large' on 1,000,000.
 */
export type Rows = 'small' | 'large' | 'audit-small' | 'audit-large';

export interface Scenario {
  id: string;
  rows: Rows;
  name: string;
  request(state: BenchState): BenchRequest;
  /** Whether a response counts as a success (default: any 2xx). */
  check(status: number, body: string): boolean;
  onResponse?(state: BenchState, status: number, body: string): void;
  /** A fixed number of requests (each single use, prepared beforehand) instead of a duration, without warm-up. */
  amount?(state: BenchState): number;
}

export const account = (tag: string, i: number): Account => ({
  username: `b${run}${tag}${i}`,
  email: `b${run}${tag}${i}@bench.test`,
  password: PASSWORD,
  name: 'Bench',
  surname: 'User',
});

const bearer = (token: string | undefined) => ({ authorization: `Bearer ${token}` });
const MFA_OTP_GRANT = 'http://auth0.com/oauth/grant-type/mfa-otp';

/** The code of a base32 seed at a step, as an authenticator app computes it (the worker's own RFC 6238 code). */
const totp = (secret: string, step: number) => hotp(base32Decode(secret) ?? new Uint8Array(), step);

const passwordGrant = (username: string | undefined): BenchRequest => ({
  method: 'POST',
  path: '/token',
  form: { grant_type: 'password', username: username ?? '', password: PASSWORD },
});

/**
 * The OTP grant's single-use inputs: `accounts` get a second factor (activated with the current
 * step's code), then one mfa_token each with a code of a later step than the activation's (the
 * replay guard refuses a step twice): the current step if it has moved on since, else the next
 * one (one step of drift is accepted). The run follows within the step's drift.
 */
export async function prepareMfa(base: string, accounts: readonly Account[]): Promise<{ token: string; otp: string }[]> {
  const step = () => Math.floor(Date.now() / 30_000);
  const enrolled = await pool(accounts, 4, async (a) => {
    await expect(base, { method: 'POST', path: '/user', json: a }, 201);
    const { access_token } = await expect<TokenResponse>(base, passwordGrant(a.username), 200);
    const { secret } = await expect<{ secret: string }>(
      base,
      { method: 'POST', path: '/user/me/mfa/totp', headers: bearer(access_token), json: { current_password: a.password } },
      200,
    );
    const activated = step();
    await expect(
      base,
      { method: 'POST', path: '/user/me/mfa/totp/activate', headers: bearer(access_token), json: { code: await totp(secret, activated) } },
      200,
    );
    return { username: a.username, secret, activated };
  });
  return pool(enrolled, 4, async (u) => {
    const { mfa_token } = await expect<{ mfa_token: string }>(base, passwordGrant(u.username), 403);
    return { token: mfa_token, otp: await totp(u.secret, Math.max(step(), u.activated + 1)) };
  });
}

/**
 * A client of a new organization, made through the API by the admin, and an access token for
 * each of `usernames` obtained with its key (the password grant with X-API-Key): what GET
 * /user/me with a key needs, since a token and the key it came with go together.
 */
export async function prepareClient(base: string, admin: string, usernames: readonly string[]): Promise<{ key: string; access: string[] }> {
  const org = await expect<{ id: string }>(base, { method: 'POST', path: '/organizations', headers: bearer(admin), json: { name: `Bench ${run}` } }, 201);
  const { api_key: key } = await expect<{ api_key: string }>(
    base,
    { method: 'POST', path: `/organizations/${org.id}/clients`, headers: bearer(admin), json: { name: 'Bench client' } },
    201,
  );
  const grants = await pool(usernames, 2, (u) => expect<TokenResponse>(base, { ...passwordGrant(u), headers: { 'x-api-key': key } }, 200));
  return { key, access: grants.map((g) => g.access_token) };
}

/** Encodes {method, path, headers, json | form} into what autocannon and fetch take. */
export function encode({ method = 'GET', path, headers = {}, json, form }: BenchRequest): EncodedRequest {
  if (json !== undefined) return { method, path, headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(json) };
  if (form !== undefined)
    return { method, path, headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() };
  return { method, path, headers };
}

/** One request through fetch, for setup: {status, body (parsed JSON when it is JSON)}. */
export async function call(base: string, req: BenchRequest): Promise<{ status: number; body: unknown }> {
  const { method, path, headers, body } = encode(req);
  const res = await fetch(base + path, { method, headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text for the error message
  }
  return { status: res.status, body: parsed };
}

/**
 * call(), failing unless the answer has `status`. The body is typed as the caller expects it
 * (T): the status check is the only validation a benchmark setup needs.
 */
export async function expect<T = unknown>(base: string, req: BenchRequest, status: number): Promise<T> {
  const res = await call(base, req);
  if (res.status !== status) throw new Error(`${req.method} ${req.path}: expected ${status}, got ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
  return res.body as T;
}

/** Runs fn over items, `concurrency` at a time; results in input order. */
export async function pool<T, R>(items: readonly T[], concurrency: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, lane));
  return out;
}

interface TokenResponse {
  access_token: string;
  refresh_token: string;
}

/**
 * Logs every account in once: the access token serves the GET scenarios, the refresh token
 * goes into the queue the refresh scenario rotates (a refresh token is single use).
 * accounts[0] is the admin (promoted in D1 before this runs).
 */
export async function signIn(base: string, accounts: readonly Account[]): Promise<BenchState> {
  const grants = await pool(accounts, 2, (a) => expect<TokenResponse>(base, passwordGrant(a.username), 200));
  const access = grants.map((g) => g.access_token);
  const admin = access[0] ?? '';
  const me = await expect<{ username?: string; role?: string }>(base, { path: '/user/me', headers: bearer(admin) }, 200);
  if (me.username !== accounts[0]?.username || me.role !== 'admin') throw new Error(`GET /user/me answered ${JSON.stringify(me)}`);
  return { usernames: accounts.map((a) => a.username), access, admin, refresh: grants.map((g) => g.refresh_token) };
}

const ok = (status: number) => status >= 200 && status < 300;

/** A full page of the audit trail: 200 with `limit` items (the seed makes every measured page full). */
const fullPage = (limit: number) => (status: number, body: string) => {
  if (status !== 200) return false;
  try {
    return (JSON.parse(body) as { items?: unknown[] }).items?.length === limit;
  } catch {
    return false;
  }
};

/** The four GET /audit pages, on `rows` (100 or 1,000,000 events). */
const auditScenarios = (id: string, rows: 'audit-small' | 'audit-large', events: string): Scenario[] => [
  { id, rows, name: `GET /audit?limit=20 (admin), ${events}`, request: (s) => ({ path: '/audit?limit=20', headers: bearer(s.admin) }), check: fullPage(20) },
  {
    id: `${id}-deep`,
    rows,
    name: `GET /audit?limit=20&cursor=(middle) (admin), ${events}`,
    request: (s) => ({ path: `/audit?limit=20&cursor=${s.auditCursor}`, headers: bearer(s.admin) }),
    check: fullPage(20),
  },
  {
    id: `${id}-user`,
    rows,
    name: `GET /audit?limit=20&user=… (admin), ${events}`,
    request: (s) => ({ path: `/audit?limit=20&user=${s.auditUser}`, headers: bearer(s.admin) }),
    check: fullPage(20),
  },
  {
    id: `${id}-event`,
    rows,
    name: `GET /audit?limit=20&event=login.failed (admin), ${events}`,
    request: (s) => ({ path: '/audit?limit=20&event=login.failed', headers: bearer(s.admin) }),
    check: fullPage(20),
  },
];

/** Scenarios by id, in the order they run; `rows` says which table size they need. */
export const SCENARIOS: Scenario[] = (
  [
    { id: 'list-100', rows: 'small', name: 'GET /user?limit=20 (admin), 100 users', request: (s) => ({ path: '/user?limit=20', headers: bearer(s.admin) }) },
    { id: 'me', rows: 'small', name: 'GET /user/me', request: (s) => ({ path: '/user/me', headers: bearer(s.access[n++ % s.access.length]) }) },
    {
      id: 'me-key',
      rows: 'small',
      name: 'GET /user/me with X-API-Key',
      request: (s) => {
        const c = s.client ?? { key: '', access: [] };
        return { path: '/user/me', headers: { ...bearer(c.access[n++ % c.access.length]), 'x-api-key': c.key } };
      },
    },
    {
      id: 'logins',
      rows: 'small',
      name: 'GET /user/me/logins',
      request: (s) => ({ path: '/user/me/logins', headers: bearer(s.access[n++ % s.access.length]) }),
    },
    {
      id: 'refresh',
      rows: 'small',
      name: 'POST /token (refresh grant)',
      request: (s) => ({
        method: 'POST',
        path: '/token',
        form: { grant_type: 'refresh_token', refresh_token: s.refresh.shift() ?? 'refresh-queue-exhausted' },
      }),
      check: (status, body) => status === 200 && body.includes('"refresh_token"'),
      onResponse: (s, status, body) => {
        if (status === 200) s.refresh.push((JSON.parse(body) as TokenResponse).refresh_token);
      },
    },
    {
      id: 'password',
      rows: 'small',
      name: 'POST /token (password grant)',
      request: (s) => passwordGrant(s.usernames[n++ % s.usernames.length]),
      check: (status, body) => status === 200 && body.includes('"access_token"'),
    },
    {
      id: 'otp',
      rows: 'small',
      name: 'POST /token (mfa-otp grant)',
      request: (s) => {
        const next = s.mfa?.shift();
        return { method: 'POST', path: '/token', form: { grant_type: MFA_OTP_GRANT, mfa_token: next?.token ?? 'exhausted', otp: next?.otp ?? '000000' } };
      },
      amount: (s) => s.mfa?.length ?? 0,
      check: (status, body) => status === 200 && body.includes('"access_token"'),
    },
    {
      id: 'signup',
      rows: 'small',
      name: 'POST /user (sign-up)',
      request: () => ({ method: 'POST', path: '/user', json: account('l', n++) }),
      check: (status) => status === 201,
    },
    {
      id: 'list-100k',
      rows: 'large',
      name: 'GET /user?limit=20 (admin), 100,000 users',
      request: (s) => ({ path: '/user?limit=20', headers: bearer(s.admin) }),
    },
    {
      id: 'list-100k-deep',
      rows: 'large',
      name: 'GET /user?limit=20&cursor=(middle) (admin), 100,000 users',
      request: (s) => ({ path: `/user?limit=20&cursor=${s.middleCursor}`, headers: bearer(s.admin) }),
    },
    ...auditScenarios('audit-100', 'audit-small', '100 events'),
    ...auditScenarios('audit-1m', 'audit-large', '1,000,000 events'),
  ] satisfies (Omit<Scenario, 'check'> & Partial<Pick<Scenario, 'check'>>)[]
).map((s) => ({ check: ok, ...s }));
