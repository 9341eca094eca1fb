import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { body, call } from '../helpers/api';
import { PASSWORD, signedIn, type SignedIn } from '../helpers/factories';
import { expectProblem, expectUnauthorized } from '../helpers/problems';

/**
 * SPEC "Authenticated" table, cell by cell: what each kind of caller gets from every user and
 * login route when the route names the user `self` (a normal user) or one of self's login
 * records. 404 for what the caller may not see, 403 for a role the caller lacks, 401 with a
 * Bearer challenge without a valid token. `/user/me…` routes act on the caller themselves.
 */
type Caller = 'self' | 'celebrity' | 'admin' | 'other' | 'none' | 'bad';
const CALLERS: Caller[] = ['self', 'celebrity', 'admin', 'other', 'none', 'bad'];

interface World {
  self: SignedIn;
  celebrity: SignedIn;
  admin: SignedIn;
  other: SignedIn;
  selfLoginId: string;
  badToken: string;
}

interface Row {
  method: string;
  path: string;
  url: (w: World) => string;
  json?: unknown;
  /** Changes the world (erasure): each cell gets a world of its own. */
  destructive?: boolean;
  expected: Record<Exclude<Caller, 'none' | 'bad'>, number>;
}

const ANY = (status: number) => ({ self: status, celebrity: status, admin: status, other: status });
const SELF_OR_ADMIN = { self: 200, celebrity: 404, admin: 200, other: 404 };
const ADMIN_ONLY = { self: 403, celebrity: 403, admin: 200, other: 403 };

const ROWS: Row[] = [
  { method: 'GET', path: '/user/me', url: () => '/user/me', expected: ANY(200) },
  { method: 'PATCH', path: '/user/me', url: () => '/user/me', json: { city: 'Matrix' }, expected: ANY(200) },
  { method: 'PUT', path: '/user/me/password', url: () => '/user/me/password', json: { current_password: PASSWORD, new_password: PASSWORD }, expected: ANY(204) },
  { method: 'DELETE', path: '/user/me', url: () => '/user/me', destructive: true, expected: ANY(204) },
  { method: 'GET', path: '/user', url: () => '/user', expected: ADMIN_ONLY },
  { method: 'GET', path: '/user/{uuid}', url: (w) => `/user/${w.self.uuid}`, expected: SELF_OR_ADMIN },
  { method: 'PATCH', path: '/user/{uuid}', url: (w) => `/user/${w.self.uuid}`, json: { city: 'Matrix' }, expected: SELF_OR_ADMIN },
  { method: 'DELETE', path: '/user/{uuid}', url: (w) => `/user/${w.self.uuid}`, destructive: true, expected: { self: 204, celebrity: 404, admin: 403, other: 404 } },
  { method: 'GET', path: '/user/me/logins', url: () => '/user/me/logins', expected: ANY(200) },
  { method: 'GET', path: '/user/{uuid}/logins', url: (w) => `/user/${w.self.uuid}/logins`, expected: SELF_OR_ADMIN },
  { method: 'GET', path: '/logins', url: () => '/logins', expected: ADMIN_ONLY },
  { method: 'GET', path: '/logins/{id}', url: (w) => `/logins/${w.selfLoginId}`, expected: SELF_OR_ADMIN },
  // "me" is the caller: self's record is not among an admin's own logins.
  { method: 'GET', path: '/user/me/logins/{id}', url: (w) => `/user/me/logins/${w.selfLoginId}`, expected: { self: 200, celebrity: 404, admin: 404, other: 404 } },
  { method: 'GET', path: '/user/{uuid}/logins/{id}', url: (w) => `/user/${w.self.uuid}/logins/${w.selfLoginId}`, expected: SELF_OR_ADMIN },
  { method: 'GET', path: '/roles', url: () => '/roles', expected: ANY(200) },
];

async function buildWorld(): Promise<World> {
  const [self, celebrity, admin, other] = await Promise.all([signedIn(), signedIn('celebrity'), signedIn('admin'), signedIn()]);
  const login = await env.DB.prepare('select uuid from logins where user_uuid = ?').bind(self.uuid).first<{ uuid: string }>();
  // A well-formed token whose signature belongs to another token.
  const badToken = `${self.access.split('.').slice(0, 2).join('.')}.${other.access.split('.')[2]}`;
  return { self, celebrity, admin, other, selfLoginId: login!.uuid, badToken };
}

const tokenOf = (w: World, caller: Caller) =>
  caller === 'none' ? undefined : caller === 'bad' ? w.badToken : w[caller].access;

const userExists = async (uuid: string) => (await env.DB.prepare('select 1 as x from users where uuid = ?').bind(uuid).first()) !== null;

describe('access matrix', () => {
  let shared: World;
  beforeAll(async () => {
    shared = await buildWorld();
  });

  for (const row of ROWS) {
    for (const caller of CALLERS) {
      const status = caller === 'none' || caller === 'bad' ? 401 : row.expected[caller];
      it(`${row.method} ${row.path} as ${caller} → ${status}`, async () => {
        const w = row.destructive ? await buildWorld() : shared;
        const res = await call(row.method, row.url(w), { token: tokenOf(w, caller), json: row.json });
        if (status === 401) await expectUnauthorized(res, caller === 'bad');
        else if (status >= 400) await expectProblem(res, status);
        else {
          expect(res.status).toBe(status);
          if (status === 200) expect(res.headers.get('content-type')).toMatch(/^application\/json/);
          else expect(await res.text()).toBe('');
        }
        if (row.destructive && row.path === '/user/{uuid}') expect(await userExists(w.self.uuid)).toBe(status !== 204);
        if (row.destructive && row.path === '/user/me' && caller !== 'none' && caller !== 'bad') {
          expect(await userExists(w[caller].uuid)).toBe(false);
        }
        if (status === 200 && row.path.startsWith('/user/{uuid}') && !row.path.includes('logins')) {
          expect((await body(res)).uuid).toBe(w.self.uuid);
        }
      });
    }
  }
});
