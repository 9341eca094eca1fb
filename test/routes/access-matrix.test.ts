import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { body, call } from '../helpers/api';
import { PASSWORD, signedIn, type SignedIn } from '../helpers/factories';
import { PNG } from '../helpers/images';
import { coverage, securedOperationsOf } from '../helpers/operations';
import { photoRows, upload } from '../helpers/photos';
import { addMember, createOrg } from '../helpers/orgs';
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import worker from '../../src/index';
import { buildRequest } from '../helpers/api';
import { clientToken, newClient } from '../helpers/clients';
import { expectProblem, expectUnauthorized } from '../helpers/problems';

/**
 * SPEC "Authenticated" table, cell by cell: what each kind of caller gets from every
 * authenticated operation when the operation names the user `self` (a normal user) or one of
 * self's records (a login, a session, a pending photo). 404 for what the caller may not see,
 * 403 for a role the caller lacks, 401 with a Bearer challenge without a valid token.
 * `/user/me…` operations act on the caller themselves. Every operation of /openapi.json is a
 * row here or in PUBLIC.
 */
type Caller = 'self' | 'celebrity' | 'admin' | 'other' | 'orgAdmin' | 'orgMember' | 'otherOrg' | 'none' | 'bad';
type SignedInCaller = Exclude<Caller, 'none' | 'bad'>;
/** Self is a `member` of the world's organization; orgAdmin its admin, orgMember another member; otherOrg a member of another organization. */
type OrgCaller = 'orgAdmin' | 'orgMember' | 'otherOrg';
type BaseCaller = Exclude<SignedInCaller, OrgCaller>;
const CALLERS: Caller[] = ['self', 'celebrity', 'admin', 'other', 'orgAdmin', 'orgMember', 'otherOrg', 'none', 'bad'];

/** The operations anyone may call without a token: none of them has `security` in the document. */
const PUBLIC = [
  'POST /password/forgot',
  'POST /password/reset',
  'POST /email/verify',
  'GET /',
  'GET /.well-known/jwks.json',
  'GET /.well-known/oauth-authorization-server',
  'GET /docs',
  'GET /health',
  'GET /openapi.json',
  'GET /redocs',
  'POST /token',
  'POST /token/revoke',
  'POST /user',
];

interface World {
  self: SignedIn;
  celebrity: SignedIn;
  admin: SignedIn;
  other: SignedIn;
  orgAdmin: SignedIn;
  orgMember: SignedIn;
  otherOrg: SignedIn;
  /** The organization self belongs to. */
  orgId: string;
  /** A client of that organization. */
  clientId: string;
  selfLoginId: string;
  selfSessionId: string;
  /** Self's photo, uploaded with the manual recognizer: pending review. */
  selfPhotoId: string;
  badToken: string;
}

interface Row {
  /** The operation, as /openapi.json names it: its method and path template. */
  op: string;
  url: (w: World) => string;
  json?: unknown;
  /** Headers per request (a client address of its own, so per-IP limits do not cross cells). */
  headers?: () => Record<string, string>;
  /** A body built per request (a multipart upload). */
  body?: () => BodyInit;
  /** Changes the world (erasing, revoking, uploading, reviewing): each cell gets a world of its own. */
  destructive?: boolean;
  /** The org callers get what `other` gets unless a row says otherwise. */
  expected: Record<BaseCaller, number> & Partial<Record<OrgCaller, number>>;
  /** The media type of a success with a body; JSON unless said. */
  type?: RegExp;
  /** Checks what the cell left behind: the change exactly when the caller was allowed (`ok`). */
  after?: (w: World, cell: { caller: Caller; ok: boolean; res: Response }) => Promise<void>;
}

const ANY = (status: number) => ({ self: status, celebrity: status, admin: status, other: status });
const SELF_OR_ADMIN = { self: 200, celebrity: 404, admin: 200, other: 404 };
const ADMIN_ONLY = { self: 403, celebrity: 403, admin: 200, other: 403 };
/** For `/user/me…/{id}` of self's record: "me" is the caller, and the record is not among an admin's own. */
const SELF_ONLY = (status: number) => ({ self: status, celebrity: 404, admin: 404, other: 404 });

const orgRoleOf = async (uuid: string) =>
  (await env.DB.prepare('select org_role from users where uuid = ?').bind(uuid).first<{ org_role: string | null }>())?.org_role;
const orgExists = async (id: string) => (await env.DB.prepare('select 1 as x from organizations where id = ?').bind(id).first()) !== null;
/** Seen by a global admin and the organization's own admin; 404 to everyone else. */
const ORG_SEEN = { self: 404, celebrity: 404, admin: 200, other: 404, orgAdmin: 200 };

const userExists = async (uuid: string) => (await env.DB.prepare('select 1 as x from users where uuid = ?').bind(uuid).first()) !== null;
const sessionLive = async (id: string) =>
  (await env.DB.prepare('select revoked_at from sessions where id = ?').bind(id).first<{ revoked_at: number | null }>())?.revoked_at === null;
const photoStatus = async (id: string) => (await env.DB.prepare('select status from photos where id = ?').bind(id).first<{ status: string }>())?.status;

const photoForm = () => {
  const form = new FormData();
  form.set('file', new File([PNG], 'me.png', { type: 'image/png' }));
  return form;
};

/** A 200 that shows a user shows self. */
const showsSelf: Row['after'] = async (w, { ok, res }) => {
  if (ok) expect((await body(res)).uuid).toBe(w.self.uuid);
};
/** Self's sessions end exactly when the revocation is allowed. */
const selfSessionEnded: Row['after'] = async (w, { ok }) => expect(await sessionLive(w.selfSessionId)).toBe(!ok);

const ownIp = () => ({ 'cf-connecting-ip': `198.51.100.${Math.floor(Math.random() * 250) + 1}` });

const ROWS: Row[] = [
  // Users.
  { op: 'GET /user/me', url: () => '/user/me', expected: ANY(200) },
  { op: 'PATCH /user/me', url: () => '/user/me', json: { city: 'Matrix' }, expected: ANY(200) },
  { op: 'PUT /user/me/password', url: () => '/user/me/password', json: { current_password: PASSWORD, new_password: PASSWORD }, expected: ANY(204) },
  { op: 'POST /user/me/email/verification', url: () => '/user/me/email/verification', headers: ownIp, expected: ANY(202) },
  {
    op: 'POST /user/me/email',
    headers: ownIp,
    url: () => '/user/me/email',
    // A new address per cell: the per-address throttle would otherwise count every caller's request.
    get json() {
      return { email: `matrix-${crypto.randomUUID().slice(0, 8)}@example.com`, current_password: PASSWORD };
    },
    expected: ANY(202),
  },
  {
    op: 'DELETE /user/me',
    url: () => '/user/me',
    destructive: true,
    expected: ANY(204),
    after: async (w, { caller }) =>
      expect(await userExists(caller === 'none' || caller === 'bad' ? w.self.uuid : w[caller].uuid)).toBe(caller === 'none' || caller === 'bad'),
  },
  { op: 'GET /user', url: () => '/user', expected: ADMIN_ONLY },
  // Self's organization's admin reads and edits self's profile; its other members and other organizations see nothing.
  { op: 'GET /user/{uuid}', url: (w) => `/user/${w.self.uuid}`, expected: { ...SELF_OR_ADMIN, orgAdmin: 200 }, after: showsSelf },
  {
    op: 'PATCH /user/{uuid}',
    url: (w) => `/user/${w.self.uuid}`,
    json: { city: 'Matrix' },
    expected: { ...SELF_OR_ADMIN, orgAdmin: 200 },
    after: showsSelf,
  },
  {
    op: 'DELETE /user/{uuid}',
    url: (w) => `/user/${w.self.uuid}`,
    destructive: true,
    expected: { self: 204, celebrity: 404, admin: 403, other: 404, orgAdmin: 403 },
    after: async (w, { ok }) => expect(await userExists(w.self.uuid)).toBe(!ok),
  },
  { op: 'GET /roles', url: () => '/roles', expected: ANY(200) },
  { op: 'GET /audit', url: (w) => `/audit?user=${w.self.uuid}`, expected: ADMIN_ONLY },
  { op: 'GET /user/me/security-events', url: () => '/user/me/security-events', expected: ANY(200) },

  // Organizations.
  { op: 'POST /organizations', url: () => '/organizations', json: { name: 'Matrix Org' }, expected: { ...ADMIN_ONLY, admin: 201 } },
  { op: 'GET /organizations', url: () => '/organizations', expected: ADMIN_ONLY },
  { op: 'GET /organizations/{id}', url: (w) => `/organizations/${w.orgId}`, expected: ORG_SEEN },
  {
    op: 'PATCH /organizations/{id}',
    url: (w) => `/organizations/${w.orgId}`,
    json: { name: 'Renamed' },
    destructive: true,
    expected: { ...ORG_SEEN, orgAdmin: 403 },
  },
  {
    op: 'DELETE /organizations/{id}',
    url: (w) => `/organizations/${w.orgId}`,
    destructive: true,
    expected: { ...ORG_SEEN, admin: 204, orgAdmin: 403 },
    after: async (w, { ok }) => expect(await orgExists(w.orgId)).toBe(!ok),
  },
  { op: 'GET /organizations/{id}/members', url: (w) => `/organizations/${w.orgId}/members`, expected: ORG_SEEN },
  {
    op: 'PUT /organizations/{id}/members/{uuid}',
    url: (w) => `/organizations/${w.orgId}/members/${w.self.uuid}`,
    json: { role: 'admin' },
    destructive: true,
    expected: ORG_SEEN,
    after: async (w, { ok }) => expect(await orgRoleOf(w.self.uuid)).toBe(ok ? 'admin' : 'member'),
  },
  {
    op: 'DELETE /organizations/{id}/members/{uuid}',
    url: (w) => `/organizations/${w.orgId}/members/${w.self.uuid}`,
    destructive: true,
    expected: { ...ORG_SEEN, admin: 204, orgAdmin: 204 },
    after: async (w, { ok }) => expect(await orgRoleOf(w.self.uuid)).toBe(ok ? null : 'member'),
  },

  // Invitations into self's organization; an unknown code is the one 400 to every signed-in caller.
  {
    op: 'POST /organizations/{id}/invitations',
    url: (w) => `/organizations/${w.orgId}/invitations`,
    json: { email: 'matrix-invitee@example.com', role: 'member' },
    expected: { ...ORG_SEEN, admin: 201, orgAdmin: 201 },
  },
  { op: 'POST /invitations/accept', url: () => '/invitations/accept', json: { token: 'A'.repeat(43) }, expected: ANY(400) },

  // Clients of self's organization.
  {
    op: 'POST /organizations/{id}/clients',
    url: (w) => `/organizations/${w.orgId}/clients`,
    json: { name: 'Matrix client' },
    expected: { ...ORG_SEEN, admin: 201, orgAdmin: 201 },
  },
  { op: 'GET /organizations/{id}/clients', url: (w) => `/organizations/${w.orgId}/clients`, expected: ORG_SEEN },
  {
    op: 'DELETE /organizations/{id}/clients/{client_id}',
    url: (w) => `/organizations/${w.orgId}/clients/${w.clientId}`,
    destructive: true,
    expected: { ...ORG_SEEN, admin: 204, orgAdmin: 204 },
  },

  // Second factor: each caller acts on their own account, which has no factor in a fresh world.
  { op: 'POST /user/me/mfa/totp', url: () => '/user/me/mfa/totp', json: { current_password: PASSWORD }, destructive: true, expected: ANY(200) },
  { op: 'POST /user/me/mfa/totp/activate', url: () => '/user/me/mfa/totp/activate', json: { code: '000000' }, destructive: true, expected: ANY(409) },
  {
    op: 'DELETE /user/me/mfa/totp',
    url: () => '/user/me/mfa/totp',
    json: { current_password: PASSWORD, code: '000000' },
    destructive: true,
    expected: ANY(409),
  },
  { op: 'POST /user/me/mfa/recovery-codes', url: () => '/user/me/mfa/recovery-codes', json: { code: '000000' }, destructive: true, expected: ANY(409) },
  {
    op: 'DELETE /user/{uuid}/mfa',
    url: (w) => `/user/${w.self.uuid}/mfa`,
    destructive: true,
    expected: { self: 403, celebrity: 403, admin: 204, other: 403 },
    after: selfSessionEnded,
  },

  // Login records.
  { op: 'GET /user/me/logins', url: () => '/user/me/logins', expected: ANY(200) },
  { op: 'GET /user/{uuid}/logins', url: (w) => `/user/${w.self.uuid}/logins`, expected: SELF_OR_ADMIN },
  { op: 'GET /logins', url: () => '/logins', expected: ADMIN_ONLY },
  { op: 'GET /logins/{id}', url: (w) => `/logins/${w.selfLoginId}`, expected: SELF_OR_ADMIN },
  { op: 'GET /user/me/logins/{id}', url: (w) => `/user/me/logins/${w.selfLoginId}`, expected: SELF_ONLY(200) },
  { op: 'GET /user/{uuid}/logins/{id}', url: (w) => `/user/${w.self.uuid}/logins/${w.selfLoginId}`, expected: SELF_OR_ADMIN },

  // Sessions.
  { op: 'GET /user/me/sessions', url: () => '/user/me/sessions', expected: ANY(200) },
  {
    op: 'DELETE /user/me/sessions/{id}',
    url: (w) => `/user/me/sessions/${w.selfSessionId}`,
    destructive: true,
    expected: SELF_ONLY(204),
    after: selfSessionEnded,
  },
  {
    op: 'DELETE /user/{uuid}/sessions',
    url: (w) => `/user/${w.self.uuid}/sessions`,
    destructive: true,
    expected: { self: 204, celebrity: 404, admin: 204, other: 404 },
    after: selfSessionEnded,
  },

  // Photos.
  {
    op: 'POST /user/{uuid}/validate_photo',
    url: (w) => `/user/${w.self.uuid}/validate_photo`,
    body: photoForm,
    destructive: true,
    // Upload is for the user themselves: not even an admin uploads for another user.
    expected: { self: 202, celebrity: 404, admin: 404, other: 404 },
    after: async (w, { ok }) => {
      const ids = (await photoRows(w.self.uuid)).map((p) => p.id);
      if (ok) expect(ids).not.toEqual([w.selfPhotoId]);
      else expect(ids).toEqual([w.selfPhotoId]);
    },
  },
  { op: 'GET /user/{uuid}/photo', url: (w) => `/user/${w.self.uuid}/photo`, expected: SELF_OR_ADMIN, type: /^image\/png$/ },
  {
    op: 'DELETE /user/{uuid}/photo',
    url: (w) => `/user/${w.self.uuid}/photo`,
    destructive: true,
    expected: { self: 204, celebrity: 404, admin: 204, other: 404 },
    after: async (w, { ok }) => expect(await photoRows(w.self.uuid)).toHaveLength(ok ? 0 : 1),
  },
  { op: 'GET /photos', url: () => '/photos?status=pending', expected: ADMIN_ONLY },
  {
    op: 'POST /photos/{id}/approve',
    url: (w) => `/photos/${w.selfPhotoId}/approve`,
    destructive: true,
    expected: ADMIN_ONLY,
    after: async (w, { ok }) => expect(await photoStatus(w.selfPhotoId)).toBe(ok ? 'accepted' : 'pending'),
  },
  {
    op: 'POST /photos/{id}/reject',
    url: (w) => `/photos/${w.selfPhotoId}/reject`,
    destructive: true,
    expected: ADMIN_ONLY,
    after: async (w, { ok }) => expect(await photoStatus(w.selfPhotoId)).toBe(ok ? 'rejected' : 'pending'),
  },
];

async function buildWorld(): Promise<World> {
  const [self, celebrity, admin, other, orgAdmin, orgMember, otherOrg] = await Promise.all([
    signedIn(),
    signedIn('celebrity'),
    signedIn('admin'),
    signedIn(),
    signedIn(),
    signedIn(),
    signedIn(),
  ]);
  const [org, elsewhere] = await Promise.all([createOrg(admin), createOrg(admin)]);
  await Promise.all([
    addMember(admin, org.id, self, 'member'),
    addMember(admin, org.id, orgAdmin, 'admin'),
    addMember(admin, org.id, orgMember, 'member'),
    addMember(admin, elsewhere.id, otherOrg, 'member'),
  ]);
  const login = await env.DB.prepare('select uuid from logins where user_uuid = ?').bind(self.uuid).first<{ uuid: string }>();
  const session = await env.DB.prepare('select id from sessions where user_uuid = ?').bind(self.uuid).first<{ id: string }>();
  const uploaded = await upload(self, PNG, { type: 'image/png' });
  expect(uploaded.status, await uploaded.clone().text()).toBe(202);
  // A well-formed token whose signature belongs to another token.
  const badToken = `${self.access.split('.').slice(0, 2).join('.')}.${other.access.split('.')[2]}`;
  return {
    self,
    celebrity,
    admin,
    other,
    orgAdmin,
    orgMember,
    otherOrg,
    orgId: org.id,
    clientId: (await newClient(admin, org.id)).client_id,
    selfLoginId: login!.uuid,
    selfSessionId: session!.id,
    selfPhotoId: (await body<{ id: string }>(uploaded)).id,
    badToken,
  };
}

const tokenOf = (w: World, caller: Caller) => (caller === 'none' ? undefined : caller === 'bad' ? w.badToken : w[caller].access);

const methodOf = (op: string) => op.split(' ')[0]!;

describe('access matrix', () => {
  let shared: World;
  beforeAll(async () => {
    shared = await buildWorld();
  });

  for (const row of ROWS) {
    for (const caller of CALLERS) {
      const status = caller === 'none' || caller === 'bad' ? 401 : ((row.expected as Partial<Record<SignedInCaller, number>>)[caller] ?? row.expected.other);
      it(`${row.op} as ${caller} → ${status}`, async () => {
        const w = row.destructive ? await buildWorld() : shared;
        const res = await call(methodOf(row.op), row.url(w), { token: tokenOf(w, caller), json: row.json, body: row.body?.(), headers: row.headers?.() });
        if (status === 401) await expectUnauthorized(res.clone(), caller === 'bad');
        else if (status >= 400) await expectProblem(res.clone(), status);
        else {
          expect(res.status).toBe(status);
          if (status === 204) expect(await res.clone().text()).toBe('');
          else expect(res.headers.get('content-type')).toMatch(row.type ?? /^application\/json/);
        }
        await row.after?.(w, { caller, ok: status < 300, res });
        if (!res.bodyUsed) await res.arrayBuffer();
      });
    }
  }
});

/**
 * Two more callers, for every row: `client`, a client_credentials token of self's organization's
 * client (what its members' list and self's profile allow it, 403 everything else), and `noKey`,
 * self's own token without an X-API-Key while REQUIRE_API_KEY=on (401 api_key_invalid everywhere).
 * Both are refusals (but the client's two reads), so each row's check is run as a refused caller's.
 */
const CLIENT_ALLOWED: Record<string, number> = { 'GET /organizations/{id}/members': 200, 'GET /user/{uuid}': 200 };

describe('access matrix: a client token, and no key with REQUIRE_API_KEY=on', () => {
  let shared: World;
  let client: string;
  beforeAll(async () => {
    shared = await buildWorld();
    client = await clientToken(shared.admin, shared.orgId);
  });

  for (const row of ROWS) {
    const status = CLIENT_ALLOWED[row.op] ?? 403;
    it(`${row.op} as client → ${status}`, async () => {
      const w = row.destructive ? await buildWorld() : shared;
      const token = w === shared ? client : await clientToken(w.admin, w.orgId);
      const res = await call(methodOf(row.op), row.url(w), { token, json: row.json, body: row.body?.(), headers: row.headers?.() });
      if (status >= 400) await expectProblem(res.clone(), status);
      else expect(res.status).toBe(status);
      await row.after?.(w, { caller: status < 300 ? 'other' : 'none', ok: status < 300, res });
      if (!res.bodyUsed) await res.arrayBuffer();
    });

    it(`${row.op} as noKey (REQUIRE_API_KEY=on) → 401`, async () => {
      const w = row.destructive ? await buildWorld() : shared;
      const ctx = createExecutionContext();
      const request = buildRequest(methodOf(row.op), row.url(w), { token: w.self.access, json: row.json, body: row.body?.(), headers: row.headers?.() });
      const res = await worker.fetch(request, { ...env, REQUIRE_API_KEY: 'on' } as never, ctx);
      await waitOnExecutionContext(ctx);
      expect((await expectProblem(res.clone(), 401, 'api_key_invalid')).status).toBe(401);
      await row.after?.(w, { caller: 'none', ok: false, res });
      if (!res.bodyUsed) await res.arrayBuffer();
    });
  }
});

describe('access matrix coverage', () => {
  it('every operation the worker serves is a row or PUBLIC, and none is both', async () => {
    const rows = ROWS.map((r) => r.op);
    expect(await coverage([...rows, ...PUBLIC])).toEqual({ missing: [], unknown: [], documented: [] });
    expect(rows.filter((op) => PUBLIC.includes(op))).toEqual([]);
    expect(new Set(rows).size).toBe(rows.length);
  });

  it('PUBLIC operations have no security in the document, and every row’s operation has', async () => {
    const secured = await securedOperationsOf();
    expect(PUBLIC.filter((op) => secured.includes(op))).toEqual([]);
    expect(ROWS.map((r) => r.op).filter((op) => !secured.includes(op))).toEqual([]);
  });

  for (const op of PUBLIC) {
    it(`${op} as none → not 401`, async () => {
      const res = await call(methodOf(op), op.split(' ')[1]!);
      await res.arrayBuffer();
      expect(res.status).not.toBe(401);
    });
  }
});
