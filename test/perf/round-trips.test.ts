import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import worker from '../../src/index';
import { body, buildRequest, get, post, type CallOptions } from '../helpers/api';
import { countingD1, UNSEEN } from '../helpers/d1-counter';
import { createUser, login, signedIn, type SignedIn } from '../helpers/factories';
import { PNG } from '../helpers/images';
import { coverage, securedOperationsOf } from '../helpers/operations';
import { codeFor, mfaAccess, mfaToken, mfaUser, OTP_GRANT, RECOVERY_GRANT } from '../helpers/mfa';
import { upload } from '../helpers/photos';
import { plantToken } from '../helpers/email';
import { clientCredentials, newClient } from '../helpers/clients';
import { addMember, createOrg, signedInMember, verifiedInvitee } from '../helpers/orgs';

/**
 * D1 round trips per operation on its success path: at the edge each one can cross an ocean to
 * the primary. The budget is one, except where README.md ("Round trips") says why an operation
 * needs two (the caller is checked before slow work: PBKDF2, R2), and none for what D1 has no
 * part in. Every operation the worker serves has a case, keyed by its OpenAPI name.
 *
 * The same requests hold the caller-batch rule (src/policy/guard.ts): every change an
 * authenticated request sends to D1 carries the caller's guard, so a refused caller (session
 * ended, disabled, demoted) changes nothing.
 */
const counter = countingD1(env.DB);
const countedEnv = { ...env, DB: counter.db };

/** The operations that change D1 with no caller to guard them: sign-up and the token endpoint. */
const NO_CALLER = ['POST /user', 'POST /token', 'POST /token/revoke', 'POST /password/forgot', 'POST /password/reset', 'POST /email/verify'];

/** A change: the statements the guard must be in (src/policy/guard.ts). */
const isChange = (sql: string) => /^(insert|update|delete)\b/i.test(sql.trim());
const CALLER_GUARD = '"cu"';

interface Sent extends CallOptions {
  path: string;
}

interface Case {
  /** The operation, as /openapi.json names it. */
  op: string;
  /** Which request of the operation, when it has more than one case. */
  as?: string;
  budget: number;
  /** The request; anything it sets up first is not counted. */
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

const photoForm = () => {
  const form = new FormData();
  form.set('file', new File([PNG], 'me.png', { type: 'image/png' }));
  return form;
};

/** A new signed-in user with a pending photo (uploaded outside the count). */
async function withPhoto(): Promise<{ owner: SignedIn; photoId: string }> {
  const owner = await signedIn();
  const res = await upload(owner, PNG, { type: 'image/png' });
  expect(res.status, await res.clone().text()).toBe(202);
  return { owner, photoId: (await body<{ id: string }>(res)).id };
}

const newName = () => `rt${crypto.randomUUID().slice(0, 8)}`;

const CASES: Case[] = [
  // Meta, the discovery documents and the API documents: no D1, except the deep health check.
  { op: 'GET /', budget: 0, send: () => ({ path: '/' }) },
  { op: 'GET /health', budget: 0, send: () => ({ path: '/health' }) },
  { op: 'GET /health', as: 'deep=1', budget: 1, send: () => ({ path: '/health?deep=1' }) },
  { op: 'GET /.well-known/jwks.json', budget: 0, send: () => ({ path: '/.well-known/jwks.json' }) },
  { op: 'GET /.well-known/oauth-authorization-server', budget: 0, send: () => ({ path: '/.well-known/oauth-authorization-server' }) },
  { op: 'GET /openapi.json', budget: 0, send: () => ({ path: '/openapi.json' }) },
  { op: 'GET /docs', budget: 0, send: () => ({ path: '/docs' }) },
  { op: 'GET /redocs', budget: 0, send: () => ({ path: '/redocs' }) },
  { op: 'GET /roles', budget: 1, send: () => ({ path: '/roles', token: user.access }) },
  { op: 'GET /audit', budget: 1, send: () => ({ path: '/audit?limit=5&event=login.succeeded', token: admin.access }) },
  { op: 'GET /user/me/security-events', budget: 1, send: () => ({ path: '/user/me/security-events', token: user.access }) },

  // Sign-up and the token endpoint.
  {
    op: 'POST /user',
    as: 'sign-up',
    budget: 1,
    send: () => {
      const name = newName();
      return { path: '/user', json: { username: name, email: `${name}@example.com`, password: 'a long and unusual passphrase', name: 'R', surname: 'T' } };
    },
  },
  {
    op: 'POST /token',
    as: 'password grant: the read, then the writes once PBKDF2 has run',
    budget: 2,
    send: async () => {
      const other = await createUser();
      return { path: '/token', form: { grant_type: 'password', username: other.username, password: other.password } };
    },
  },
  {
    op: 'POST /token',
    as: 'refresh grant',
    budget: 1,
    send: async () => ({ path: '/token', form: { grant_type: 'refresh_token', refresh_token: (await login(user)).refresh } }),
  },
  { op: 'POST /token/revoke', budget: 1, send: async () => ({ path: '/token/revoke', form: { token: (await login(user)).refresh } }) },

  {
    op: 'POST /token',
    as: 'mfa-otp grant: the challenge claimed and read, then the session once the code is checked',
    budget: 2,
    send: async () => {
      const owner = await mfaUser();
      return { path: '/token', form: { grant_type: OTP_GRANT, mfa_token: await mfaToken(owner), otp: await codeFor(owner.secret) } };
    },
  },
  {
    op: 'POST /token',
    as: 'mfa-recovery-code grant',
    budget: 2,
    send: async () => {
      const owner = await mfaUser();
      return { path: '/token', form: { grant_type: RECOVERY_GRANT, mfa_token: await mfaToken(owner), recovery_code: owner.recoveryCodes[0]! } };
    },
  },

  // Second factor.
  {
    op: 'POST /user/me/mfa/totp',
    as: 'caller and attempt count, then the pending seed after PBKDF2',
    budget: 2,
    send: async () => {
      const target = await signedIn();
      return { path: '/user/me/mfa/totp', token: target.access, json: { current_password: target.password } };
    },
  },
  {
    op: 'POST /user/me/mfa/totp/activate',
    as: 'the caller and the sealed seed, then the activation once the code is checked',
    budget: 2,
    send: async () => {
      const target = await signedIn();
      const { secret } = await body<{ secret: string }>(await post('/user/me/mfa/totp', { token: target.access, json: { current_password: target.password } }));
      return { path: '/user/me/mfa/totp/activate', token: target.access, json: { code: await codeFor(secret) } };
    },
  },
  {
    op: 'DELETE /user/me/mfa/totp',
    as: 'caller, password and seed, then the removal after PBKDF2 and the code',
    budget: 2,
    send: async () => {
      const owner = await mfaUser();
      const token = await mfaAccess(owner);
      return { path: '/user/me/mfa/totp', token, json: { current_password: owner.password, code: await codeFor(owner.secret) } };
    },
  },
  {
    op: 'POST /user/me/mfa/recovery-codes',
    as: 'the caller and the seed, then the new codes once the code is checked',
    budget: 2,
    send: async () => {
      const owner = await mfaUser();
      const token = await mfaAccess(owner);
      return { path: '/user/me/mfa/recovery-codes', token, json: { code: await codeFor(owner.secret) } };
    },
  },
  { op: 'DELETE /user/{uuid}/mfa', as: 'admin', budget: 1, send: async () => ({ path: `/user/${(await mfaUser()).uuid}/mfa`, token: admin.access }) },

  // Users.
  { op: 'GET /user', as: 'admin', budget: 1, send: () => ({ path: '/user?limit=5', token: admin.access }) },
  { op: 'GET /user', as: 'role=normal', budget: 1, send: () => ({ path: '/user?role=normal', token: admin.access }) },
  { op: 'GET /user/me', budget: 1, send: () => ({ path: '/user/me', token: user.access }) },
  { op: 'GET /user/{uuid}', as: 'admin', budget: 1, send: () => ({ path: `/user/${user.uuid}`, token: admin.access }) },
  { op: 'PATCH /user/me', budget: 1, send: () => ({ path: '/user/me', token: user.access, json: { city: 'Lisbon' } }) },
  {
    op: 'PATCH /user/{uuid}',
    as: 'admin, role change: sessions revoked in the same batch',
    budget: 1,
    send: async () => ({ path: `/user/${(await signedIn()).uuid}`, token: admin.access, json: { role: 'celebrity' } }),
  },
  {
    op: 'PUT /user/me/password',
    as: 'caller and attempt count, then the write after PBKDF2',
    budget: 2,
    send: async () => {
      const target = await signedIn();
      return { path: '/user/me/password', token: target.access, json: { current_password: target.password, new_password: 'another long unusual passphrase' } };
    },
  },
  // Email: the message is sent after the response (waitUntil), never on the critical path.
  {
    op: 'POST /user/me/email/verification',
    as: 'count, old links voided and the new one, in the caller batch',
    budget: 1,
    send: async () => ({ path: '/user/me/email/verification', token: (await signedIn()).access }),
  },
  {
    op: 'POST /user/me/email',
    as: 'caller and attempt count, then the link after PBKDF2',
    budget: 2,
    send: async () => {
      const target = await signedIn();
      return { path: '/user/me/email', token: target.access, json: { email: `new-${target.username}@example.com`, current_password: target.password } };
    },
  },
  {
    op: 'POST /password/forgot',
    as: 'the count before the answer; the link and its event after it (waitUntil)',
    budget: 2,
    send: () => ({ path: '/password/forgot', json: { email: user.email } }),
  },
  {
    op: 'POST /password/reset',
    as: 'the token and its user, then the change after PBKDF2',
    budget: 2,
    send: async () => {
      const target = await createUser();
      return { path: '/password/reset', json: { token: await plantToken(target, 'reset'), new_password: 'another long unusual passphrase' } };
    },
  },
  {
    op: 'POST /email/verify',
    as: 'the token consumed and the address confirmed in one batch',
    budget: 1,
    send: async () => {
      const target = await createUser();
      return { path: '/email/verify', json: { token: await plantToken(target, 'verify') } };
    },
  },
  { op: 'DELETE /user/me', as: 'erasure: the caller before R2', budget: 2, send: async () => ({ path: '/user/me', token: (await signedIn()).access }) },
  {
    op: 'DELETE /user/{uuid}',
    as: 'self, with a photo: the caller before R2',
    budget: 2,
    send: async () => {
      const { owner } = await withPhoto();
      return { path: `/user/${owner.uuid}`, token: owner.access };
    },
  },

  // Login records.
  { op: 'GET /user/me/logins', budget: 1, send: () => ({ path: '/user/me/logins', token: user.access }) },
  { op: 'GET /user/{uuid}/logins', as: 'admin', budget: 1, send: () => ({ path: `/user/${user.uuid}/logins`, token: admin.access }) },
  { op: 'GET /logins', as: 'admin', budget: 1, send: () => ({ path: '/logins', token: admin.access }) },
  { op: 'GET /logins/{id}', budget: 1, send: () => ({ path: `/logins/${loginId}`, token: user.access }) },
  { op: 'GET /user/me/logins/{id}', budget: 1, send: () => ({ path: `/user/me/logins/${loginId}`, token: user.access }) },
  { op: 'GET /user/{uuid}/logins/{id}', as: 'admin', budget: 1, send: () => ({ path: `/user/${user.uuid}/logins/${loginId}`, token: admin.access }) },

  // Sessions.
  { op: 'GET /user/me/sessions', budget: 1, send: () => ({ path: '/user/me/sessions', token: user.access }) },
  {
    op: 'DELETE /user/me/sessions/{id}',
    as: 'from another session',
    budget: 1,
    send: async () => {
      const target = await signedIn();
      const sessions = await body<{ items: { id: string }[] }>(await get('/user/me/sessions', { token: target.access }));
      return { path: `/user/me/sessions/${sessions.items[0]!.id}`, token: (await login(target)).access };
    },
  },
  {
    op: 'DELETE /user/{uuid}/sessions',
    as: 'admin',
    budget: 1,
    send: async () => ({ path: `/user/${(await signedIn()).uuid}/sessions`, token: admin.access }),
  },

  // Photos.
  {
    op: 'POST /user/{uuid}/validate_photo',
    as: 'manual recognizer: the caller before R2',
    budget: 2,
    send: async () => {
      const target = await signedIn();
      return { path: `/user/${target.uuid}/validate_photo`, token: target.access, body: photoForm() };
    },
  },
  {
    op: 'GET /user/{uuid}/photo',
    budget: 1,
    send: async () => {
      const { owner } = await withPhoto();
      return { path: `/user/${owner.uuid}/photo`, token: owner.access };
    },
  },
  {
    op: 'DELETE /user/{uuid}/photo',
    budget: 1,
    send: async () => {
      const { owner } = await withPhoto();
      return { path: `/user/${owner.uuid}/photo`, token: owner.access };
    },
  },
  // Organizations: the caller, the organization and the change (with its event) in one batch.
  { op: 'POST /organizations', budget: 1, send: () => ({ path: '/organizations', token: admin.access, json: { name: newName() } }) },
  { op: 'GET /organizations', budget: 1, send: () => ({ path: '/organizations', token: admin.access }) },
  { op: 'GET /organizations/{id}', budget: 1, send: async () => ({ path: `/organizations/${(await createOrg(admin)).id}`, token: admin.access }) },
  {
    op: 'PATCH /organizations/{id}',
    budget: 1,
    send: async () => ({ path: `/organizations/${(await createOrg(admin)).id}`, token: admin.access, json: { name: newName() } }),
  },
  {
    op: 'DELETE /organizations/{id}',
    as: 'members detached and client sessions revoked in the same batch',
    budget: 1,
    send: async () => {
      const org = await createOrg(admin);
      await addMember(admin, org.id, await createUser(), 'member');
      return { path: `/organizations/${org.id}`, token: admin.access };
    },
  },
  {
    op: 'GET /organizations/{id}/members',
    as: 'org admin',
    budget: 1,
    send: async () => {
      const org = await createOrg(admin);
      return { path: `/organizations/${org.id}/members`, token: (await signedInMember(admin, org.id, 'admin')).access };
    },
  },
  {
    op: 'PUT /organizations/{id}/members/{uuid}',
    as: 'org admin changes a member’s role',
    budget: 1,
    send: async () => {
      const org = await createOrg(admin);
      const orgAdmin = await signedInMember(admin, org.id, 'admin');
      const member = await createUser();
      await addMember(admin, org.id, member, 'member');
      return { path: `/organizations/${org.id}/members/${member.uuid}`, token: orgAdmin.access, json: { role: 'admin' } };
    },
  },
  {
    op: 'DELETE /organizations/{id}/members/{uuid}',
    budget: 1,
    send: async () => {
      const org = await createOrg(admin);
      const member = await createUser();
      await addMember(admin, org.id, member, 'member');
      return { path: `/organizations/${org.id}/members/${member.uuid}`, token: admin.access };
    },
  },
  // Invitations: the caller, the organization and the invitation's hash with its event in one batch.
  {
    op: 'POST /organizations/{id}/invitations',
    budget: 1,
    send: async () => ({
      path: `/organizations/${(await createOrg(admin)).id}/invitations`,
      token: admin.access,
      json: { email: `inv${crypto.randomUUID().slice(0, 8)}@example.com`, role: 'member' },
    }),
  },
  {
    op: 'POST /invitations/accept',
    budget: 1,
    send: async () => {
      const { invitee, code } = await verifiedInvitee(admin);
      return { path: '/invitations/accept', token: invitee.access, json: { token: code } };
    },
  },
  // Clients: the key's hash and the client row in the caller batch; the grant reads the client alone.
  {
    op: 'POST /organizations/{id}/clients',
    budget: 1,
    send: async () => ({ path: `/organizations/${(await createOrg(admin)).id}/clients`, token: admin.access, json: { name: 'Client' } }),
  },
  {
    op: 'GET /organizations/{id}/clients',
    budget: 1,
    send: async () => ({ path: `/organizations/${(await createOrg(admin)).id}/clients`, token: admin.access }),
  },
  {
    op: 'DELETE /organizations/{id}/clients/{client_id}',
    budget: 1,
    send: async () => {
      const org = await createOrg(admin);
      return { path: `/organizations/${org.id}/clients/${(await newClient(admin, org.id)).client_id}`, token: admin.access };
    },
  },
  {
    op: 'POST /token',
    as: 'client_credentials grant',
    budget: 1,
    send: async () => {
      const client = await newClient(admin, (await createOrg(admin)).id);
      return { path: '/token', ...clientCredentials(client) };
    },
  },
  { op: 'GET /photos', as: 'admin', budget: 1, send: () => ({ path: '/photos?status=pending', token: admin.access }) },
  { op: 'POST /photos/{id}/approve', budget: 1, send: async () => ({ path: `/photos/${(await withPhoto()).photoId}/approve`, token: admin.access }) },
  { op: 'POST /photos/{id}/reject', budget: 1, send: async () => ({ path: `/photos/${(await withPhoto()).photoId}/reject`, token: admin.access }) },
];

interface Measured {
  count: number;
  sent: string[];
}

/** Sends a case's request through the counted binding once; its tests share the measurement. */
const measured = new Map<Case, Promise<Measured>>();
function measure(c: Case): Promise<Measured> {
  let run = measured.get(c);
  if (!run) {
    run = (async () => {
      const { path, ...init } = await c.send();
      const method = c.op.split(' ')[0]!;
      const ctx = createExecutionContext();
      counter.reset();
      const res = await worker.fetch(buildRequest(method, path, init), countedEnv as never, ctx);
      await res.arrayBuffer();
      await waitOnExecutionContext(ctx);
      expect(res.status, `${method} ${path}`).toBeLessThan(300);
      return { count: counter.count(), sent: counter.sent() };
    })();
    measured.set(c, run);
  }
  return run;
}

const nameOf = (c: Case) => (c.as ? `${c.op} (${c.as})` : c.op);
const trips = (n: number) => `${n} round trip${n === 1 ? '' : 's'}`;

describe('D1 round trips per operation', () => {
  for (const c of CASES) {
    it(`${nameOf(c)} makes ${trips(c.budget)}`, async () => {
      expect((await measure(c)).count).toBe(c.budget);
    });
  }

  it('every operation the worker serves has a case, and every case names one', async () => {
    expect(await coverage(CASES.map((c) => c.op))).toEqual({ missing: [], unknown: [], documented: [] });
  });
});

describe('every change of an authenticated request carries the caller guard', () => {
  for (const c of CASES.filter((c) => !NO_CALLER.includes(c.op))) {
    it(`${nameOf(c)} sends no change without the caller guard`, async () => {
      const { sent } = await measure(c);
      expect(sent).not.toContain(UNSEEN);
      expect(sent.filter((sql) => isChange(sql) && !sql.includes(CALLER_GUARD))).toEqual([]);
    });
  }

  it('sees the changes it checks: every authenticated case that is not a GET sends at least one', async () => {
    const secured = await securedOperationsOf();
    const changing = CASES.filter((c) => secured.includes(c.op) && !c.op.startsWith('GET '));
    const silent: string[] = [];
    for (const c of changing) if (!(await measure(c)).sent.some(isChange)) silent.push(nameOf(c));
    expect(silent).toEqual([]);
  });

  it('only operations without a bearer token are exempt', async () => {
    const secured = await securedOperationsOf();
    expect(NO_CALLER.filter((op) => secured.includes(op))).toEqual([]);
  });
});
