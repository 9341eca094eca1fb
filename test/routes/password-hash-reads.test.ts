import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import worker from '../../src/index';
import { body, buildRequest, get, post, type CallOptions } from '../helpers/api';
import { countingD1 } from '../helpers/d1-counter';
import { login, signedIn, type SignedIn } from '../helpers/factories';
import { PNG } from '../helpers/images';
import { coverage } from '../helpers/operations';
import { codeFor, mfaAccess, mfaToken, mfaUser, OTP_GRANT } from '../helpers/mfa';
import { upload } from '../helpers/photos';
import { plantToken } from '../helpers/email';
import { clientCredentials, newClient } from '../helpers/clients';
import { addMember, createOrg, signedInMember, verifiedInvitee } from '../helpers/orgs';

// The password hash leaves D1 only where a password is checked: the password grant and
// PUT /user/me/password. Every other operation reads users without it, so no other code path
// holds a hash it could log or leak. Checked on the SQL each request actually sends to D1, for
// a successful request of every operation the worker serves.

const d1 = countingD1(env.DB);
const recordedEnv = { ...env, DB: d1.db };

/** The columns a statement reads back: its select list and its RETURNING clause. */
function readColumns(sql: string): string {
  const s = sql.toLowerCase();
  const selected = s.startsWith('select') ? s.split(' from ')[0]! : '';
  const at = s.indexOf(' returning ');
  return selected + (at >= 0 ? s.slice(at) : '');
}

interface Sent extends CallOptions {
  path: string;
}

interface Case {
  /** The operation, as /openapi.json names it. */
  op: string;
  /** Which request of the operation, when it has more than one. */
  as?: string;
  /** Checks a password, so it must read the hash (the only two cases that may). */
  checksPassword?: true;
  /** A request that succeeds; anything it sets up first is not recorded. */
  send: () => Sent | Promise<Sent>;
}

let admin: SignedIn;
let user: SignedIn;
let loginId: string;

beforeAll(async () => {
  admin = await signedIn('admin');
  user = await signedIn();
  const logins = await body<{ items: { uuid: string }[] }>(await get('/user/me/logins', { token: user.access }));
  loginId = logins.items[0]!.uuid;
});

/** A new signed-in user with a pending photo. */
async function withPhoto(): Promise<{ owner: SignedIn; photoId: string }> {
  const owner = await signedIn();
  const res = await upload(owner, PNG, { type: 'image/png' });
  expect(res.status, await res.clone().text()).toBe(202);
  return { owner, photoId: (await body<{ id: string }>(res)).id };
}

const photoForm = () => {
  const form = new FormData();
  form.set('file', new File([PNG], 'me.png', { type: 'image/png' }));
  return form;
};

const CASES: Case[] = [
  { op: 'GET /', send: () => ({ path: '/' }) },
  { op: 'GET /health', send: () => ({ path: '/health?deep=1' }) },
  { op: 'GET /.well-known/jwks.json', send: () => ({ path: '/.well-known/jwks.json' }) },
  { op: 'GET /.well-known/oauth-authorization-server', send: () => ({ path: '/.well-known/oauth-authorization-server' }) },
  { op: 'GET /openapi.json', send: () => ({ path: '/openapi.json' }) },
  { op: 'GET /docs', send: () => ({ path: '/docs' }) },
  { op: 'GET /redocs', send: () => ({ path: '/redocs' }) },
  { op: 'GET /roles', send: () => ({ path: '/roles', token: user.access }) },
  { op: 'GET /audit', send: () => ({ path: '/audit', token: admin.access }) },
  { op: 'GET /user/me/security-events', send: () => ({ path: '/user/me/security-events', token: user.access }) },
  {
    op: 'POST /user',
    send: () => {
      const suffix = crypto.randomUUID().slice(0, 8);
      return { path: '/user', json: { username: `h${suffix}`, email: `h${suffix}@example.com`, password: user.password, name: 'Hash', surname: 'Free' } };
    },
  },
  {
    op: 'POST /token',
    as: 'password grant',
    checksPassword: true,
    send: () => ({ path: '/token', form: { grant_type: 'password', username: user.username, password: user.password } }),
  },
  {
    op: 'POST /token',
    as: 'refresh grant',
    send: async () => ({ path: '/token', form: { grant_type: 'refresh_token', refresh_token: (await login(user)).refresh } }),
  },
  { op: 'POST /token/revoke', send: async () => ({ path: '/token/revoke', form: { token: (await login(user)).refresh } }) },
  { op: 'GET /user', send: () => ({ path: '/user?limit=5', token: admin.access }) },
  { op: 'GET /user/me', send: () => ({ path: '/user/me', token: user.access }) },
  { op: 'GET /user/{uuid}', send: () => ({ path: `/user/${user.uuid}`, token: admin.access }) },
  { op: 'PATCH /user/me', send: () => ({ path: '/user/me', token: user.access, json: { city: 'Lisbon' } }) },
  { op: 'PATCH /user/{uuid}', send: async () => ({ path: `/user/${(await signedIn()).uuid}`, token: admin.access, json: { role: 'celebrity' } }) },
  {
    op: 'PUT /user/me/password',
    checksPassword: true,
    send: async () => {
      const target = await signedIn();
      return { path: '/user/me/password', token: target.access, json: { current_password: target.password, new_password: `${target.password} again` } };
    },
  },
  { op: 'POST /user/me/email/verification', send: async () => ({ path: '/user/me/email/verification', token: (await signedIn()).access }) },
  {
    op: 'POST /user/me/email',
    checksPassword: true,
    send: async () => {
      const target = await signedIn();
      return { path: '/user/me/email', token: target.access, json: { email: `new-${target.username}@example.com`, current_password: target.password } };
    },
  },
  { op: 'POST /password/forgot', send: () => ({ path: '/password/forgot', json: { email: user.email } }) },
  {
    op: 'POST /password/reset',
    send: async () => {
      const target = await signedIn();
      return { path: '/password/reset', json: { token: await plantToken(target, 'reset'), new_password: `${target.password} reset` } };
    },
  },
  {
    op: 'POST /email/verify',
    send: async () => {
      const target = await signedIn();
      return { path: '/email/verify', json: { token: await plantToken(target, 'verify') } };
    },
  },
  { op: 'DELETE /user/me', send: async () => ({ path: '/user/me', token: (await signedIn()).access }) },
  {
    op: 'DELETE /user/{uuid}',
    send: async () => {
      const target = await signedIn();
      return { path: `/user/${target.uuid}`, token: target.access };
    },
  },
  { op: 'GET /user/me/logins', send: () => ({ path: '/user/me/logins', token: user.access }) },
  { op: 'GET /user/{uuid}/logins', send: () => ({ path: `/user/${user.uuid}/logins`, token: admin.access }) },
  { op: 'GET /logins', send: () => ({ path: '/logins', token: admin.access }) },
  { op: 'GET /logins/{id}', send: () => ({ path: `/logins/${loginId}`, token: user.access }) },
  { op: 'GET /user/me/logins/{id}', send: () => ({ path: `/user/me/logins/${loginId}`, token: user.access }) },
  { op: 'GET /user/{uuid}/logins/{id}', send: () => ({ path: `/user/${user.uuid}/logins/${loginId}`, token: admin.access }) },
  { op: 'GET /user/me/sessions', send: () => ({ path: '/user/me/sessions', token: user.access }) },
  {
    op: 'DELETE /user/me/sessions/{id}',
    send: async () => {
      const target = await signedIn();
      const session = await env.DB.prepare('select id from sessions where user_uuid = ?').bind(target.uuid).first<{ id: string }>();
      return { path: `/user/me/sessions/${session!.id}`, token: target.access };
    },
  },
  { op: 'DELETE /user/{uuid}/sessions', send: async () => ({ path: `/user/${(await signedIn()).uuid}/sessions`, token: admin.access }) },
  {
    op: 'POST /user/{uuid}/validate_photo',
    send: async () => {
      const owner = await signedIn();
      return { path: `/user/${owner.uuid}/validate_photo`, token: owner.access, body: photoForm() };
    },
  },
  {
    op: 'GET /user/{uuid}/photo',
    send: async () => {
      const { owner } = await withPhoto();
      return { path: `/user/${owner.uuid}/photo`, token: owner.access };
    },
  },
  {
    op: 'DELETE /user/{uuid}/photo',
    send: async () => {
      const { owner } = await withPhoto();
      return { path: `/user/${owner.uuid}/photo`, token: owner.access };
    },
  },
  {
    op: 'POST /user/me/mfa/totp',
    checksPassword: true,
    send: async () => {
      const target = await signedIn();
      return { path: '/user/me/mfa/totp', token: target.access, json: { current_password: target.password } };
    },
  },
  {
    op: 'POST /user/me/mfa/totp/activate',
    send: async () => {
      const target = await signedIn();
      const { secret } = await body<{ secret: string }>(await post('/user/me/mfa/totp', { token: target.access, json: { current_password: target.password } }));
      return { path: '/user/me/mfa/totp/activate', token: target.access, json: { code: await codeFor(secret) } };
    },
  },
  {
    op: 'DELETE /user/me/mfa/totp',
    checksPassword: true,
    send: async () => {
      const owner = await mfaUser();
      return { path: '/user/me/mfa/totp', token: await mfaAccess(owner), json: { current_password: owner.password, code: await codeFor(owner.secret) } };
    },
  },
  {
    op: 'POST /user/me/mfa/recovery-codes',
    send: async () => {
      const owner = await mfaUser();
      return { path: '/user/me/mfa/recovery-codes', token: await mfaAccess(owner), json: { code: await codeFor(owner.secret) } };
    },
  },
  { op: 'DELETE /user/{uuid}/mfa', send: async () => ({ path: `/user/${(await mfaUser()).uuid}/mfa`, token: admin.access }) },
  {
    op: 'POST /token',
    as: 'mfa-otp grant',
    send: async () => {
      const owner = await mfaUser();
      return { path: '/token', form: { grant_type: OTP_GRANT, mfa_token: await mfaToken(owner), otp: await codeFor(owner.secret) } };
    },
  },
  // Organizations: members are listed and changed with userColumns, never the hash.
  { op: 'POST /organizations', send: () => ({ path: '/organizations', token: admin.access, json: { name: 'Hash Org' } }) },
  { op: 'GET /organizations', send: () => ({ path: '/organizations', token: admin.access }) },
  { op: 'GET /organizations/{id}', send: async () => ({ path: `/organizations/${(await createOrg(admin)).id}`, token: admin.access }) },
  {
    op: 'PATCH /organizations/{id}',
    send: async () => ({ path: `/organizations/${(await createOrg(admin)).id}`, token: admin.access, json: { name: 'Renamed' } }),
  },
  { op: 'DELETE /organizations/{id}', send: async () => ({ path: `/organizations/${(await createOrg(admin)).id}`, token: admin.access }) },
  {
    op: 'GET /organizations/{id}/members',
    send: async () => {
      const org = await createOrg(admin);
      await addMember(admin, org.id, user, 'member');
      const res = { path: `/organizations/${org.id}/members`, token: admin.access };
      return res;
    },
  },
  {
    op: 'PUT /organizations/{id}/members/{uuid}',
    send: async () => ({
      path: `/organizations/${(await createOrg(admin)).id}/members/${(await signedIn()).uuid}`,
      token: admin.access,
      json: { role: 'member' },
    }),
  },
  {
    op: 'DELETE /organizations/{id}/members/{uuid}',
    send: async () => {
      const org = await createOrg(admin);
      const member = await signedInMember(admin, org.id, 'member');
      return { path: `/organizations/${org.id}/members/${member.uuid}`, token: admin.access };
    },
  },
  {
    op: 'POST /organizations/{id}/invitations',
    send: async () => ({
      path: `/organizations/${(await createOrg(admin)).id}/invitations`,
      token: admin.access,
      json: { email: `inv${crypto.randomUUID().slice(0, 8)}@example.com`, role: 'member' },
    }),
  },
  {
    op: 'POST /invitations/accept',
    send: async () => {
      const { invitee, code } = await verifiedInvitee(admin);
      return { path: '/invitations/accept', token: invitee.access, json: { token: code } };
    },
  },
  // Clients: the key's hash and the client row in the caller batch; the grant reads the client alone.
  {
    op: 'POST /organizations/{id}/clients',
    send: async () => ({ path: `/organizations/${(await createOrg(admin)).id}/clients`, token: admin.access, json: { name: 'Client' } }),
  },
  { op: 'GET /organizations/{id}/clients', send: async () => ({ path: `/organizations/${(await createOrg(admin)).id}/clients`, token: admin.access }) },
  {
    op: 'DELETE /organizations/{id}/clients/{client_id}',
    send: async () => {
      const org = await createOrg(admin);
      return { path: `/organizations/${org.id}/clients/${(await newClient(admin, org.id)).client_id}`, token: admin.access };
    },
  },
  {
    op: 'POST /token',
    as: 'client_credentials grant',
    send: async () => {
      const client = await newClient(admin, (await createOrg(admin)).id);
      return { path: '/token', ...clientCredentials(client) };
    },
  },
  { op: 'GET /photos', send: () => ({ path: '/photos?status=pending', token: admin.access }) },
  { op: 'POST /photos/{id}/approve', send: async () => ({ path: `/photos/${(await withPhoto()).photoId}/approve`, token: admin.access }) },
  { op: 'POST /photos/{id}/reject', send: async () => ({ path: `/photos/${(await withPhoto()).photoId}/reject`, token: admin.access }) },
];

/** Sends a case's request on the recorded binding; what its statements read back, joined. */
async function reads(c: Case): Promise<string> {
  const { path, ...init } = await c.send();
  const method = c.op.split(' ')[0]!;
  const ctx = createExecutionContext();
  d1.reset();
  const res = await worker.fetch(buildRequest(method, path, init), recordedEnv as never, ctx);
  await res.arrayBuffer();
  await waitOnExecutionContext(ctx);
  expect(res.status, `${method} ${path}`).toBeLessThan(300);
  return d1.sent().map(readColumns).join('\n');
}

const nameOf = (c: Case) => (c.as ? `${c.op} (${c.as})` : c.op);

describe('reads of the password hash', () => {
  for (const c of CASES) {
    if (c.checksPassword) {
      it(`${nameOf(c)} reads the password hash: it checks a password`, async () => {
        expect(await reads(c)).toContain('password_hash');
      });
    } else {
      it(`${nameOf(c)} reads no password hash`, async () => {
        expect(await reads(c)).not.toContain('password_hash');
      });
    }
  }

  it('only the password grant, the password change, the second factor’s enrolment and removal and the email change may read it', () => {
    expect(CASES.filter((c) => c.checksPassword).map(nameOf)).toEqual([
      'POST /token (password grant)',
      'PUT /user/me/password',
      'POST /user/me/email',
      'POST /user/me/mfa/totp',
      'DELETE /user/me/mfa/totp',
    ]);
  });

  it('every operation the worker serves has a case, and every case names one', async () => {
    expect(await coverage(CASES.map((c) => c.op))).toEqual({ missing: [], unknown: [], documented: [] });
  });
});
