import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { body, del, get, post } from '../helpers/api';
import { signedIn, type SignedIn } from '../helpers/factories';
import { createOrg, orgWorld } from '../helpers/orgs';
import { expectProblem } from '../helpers/problems';
import { basicAuth, clientCredentials, clientToken, newClient } from '../helpers/clients';

let admin: SignedIn;
let org: { id: string };
let orgAdmin: SignedIn;
let member: SignedIn;

beforeAll(async () => {
  ({ admin, org, orgAdmin, member } = await orgWorld());
});

describe('clients and keys', () => {
  it('shows the key once: ua_ and 256 random bits; D1 keeps its SHA-256 and a short prefix', async () => {
    const client = await newClient(orgAdmin, org.id);
    expect(client.api_key).toMatch(/^ua_[A-Za-z0-9_-]{43}$/);
    const row = await env.DB.prepare('select key_hash, key_prefix from clients where id = ?')
      .bind(client.client_id)
      .first<{ key_hash: string; key_prefix: string }>();
    expect(row!.key_hash).not.toContain(client.api_key);
    expect(client.api_key.startsWith(row!.key_prefix)).toBe(true);
    expect(row!.key_prefix).toHaveLength(11);
    const text = await (await get(`/organizations/${org.id}/clients`, { token: orgAdmin.access })).text();
    expect(text).toContain(client.client_id);
    expect(text).not.toContain(client.api_key);
    expect(text).not.toContain(row!.key_hash);
  });

  it('answers 404 to members and outsiders, for the listing and the registration', async () => {
    await expectProblem(await get(`/organizations/${org.id}/clients`, { token: member.access }), 404);
    await expectProblem(await post(`/organizations/${org.id}/clients`, { token: member.access, json: { name: 'x' } }), 404);
    expect((await env.DB.prepare("select count(*) as n from clients where name = 'x'").first<{ n: number }>())!.n).toBe(0);
  });
});

describe('client_credentials', () => {
  it('issues an access token for the client, without a refresh token, that lists and reads its members', async () => {
    const client = await newClient(orgAdmin, org.id);
    const res = await post('/token', clientCredentials(client));
    expect(res.status).toBe(200);
    const tokens = await body(res);
    expect(tokens.refresh_token).toBeUndefined();
    const claims = JSON.parse(atob((tokens.access_token as string).split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/')));
    expect(claims).toMatchObject({ sub: client.client_id, client_id: client.client_id });
    const token = tokens.access_token as string;
    const page = await body<{ items: { uuid: string }[] }>(await get(`/organizations/${org.id}/members`, { token }));
    expect(page.items.map((u) => u.uuid)).toContain(member.uuid);
    expect((await body(await get(`/user/${member.uuid}`, { token }))).uuid).toBe(member.uuid);
  });

  it('can do nothing else: other organizations and users are 404, every other route 403', async () => {
    const token = await clientToken(orgAdmin, org.id);
    const other = await createOrg(admin);
    const outsider = await signedIn();
    await expectProblem(await get(`/organizations/${other.id}/members`, { token }), 404);
    await expectProblem(await get(`/user/${outsider.uuid}`, { token }), 404);
    await expectProblem(await get('/user/me', { token }), 403);
    await expectProblem(await get('/user', { token }), 403);
    await expectProblem(await get(`/organizations/${org.id}`, { token }), 403);
    await expectProblem(await post(`/organizations/${org.id}/clients`, { token, json: { name: 'y' } }), 403);
  });

  it('answers invalid_client with 401 and WWW-Authenticate: Basic on bad credentials', async () => {
    const client = await newClient(orgAdmin, org.id);
    for (const headers of [
      basicAuth(client.client_id, `${client.api_key.slice(0, -1)}${client.api_key.endsWith('A') ? 'B' : 'A'}`),
      basicAuth(crypto.randomUUID(), client.api_key),
      {},
    ]) {
      const res = await post('/token', { form: { grant_type: 'client_credentials' }, headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic /);
      expect(await body(res)).toMatchObject({ error: 'invalid_client' });
    }
  });

  it('revoking the key ends its tokens at once, and its grant', async () => {
    const client = await newClient(orgAdmin, org.id);
    const res = await post('/token', clientCredentials(client));
    const token = (await body(res)).access_token as string;
    expect((await get(`/organizations/${org.id}/members`, { token })).status).toBe(200);
    expect((await del(`/organizations/${org.id}/clients/${client.client_id}`, { token: orgAdmin.access })).status).toBe(204);
    expect((await get(`/organizations/${org.id}/members`, { token })).status).toBe(401);
    const again = await post('/token', clientCredentials(client));
    expect(again.status).toBe(401);
  });

  it("answers 404 to an org admin revoking another organization's client", async () => {
    const other = await createOrg(admin);
    const theirs = await newClient(admin, other.id);
    await expectProblem(await del(`/organizations/${org.id}/clients/${theirs.client_id}`, { token: orgAdmin.access }), 404);
    expect(
      (await env.DB.prepare('select revoked_at from clients where id = ?').bind(theirs.client_id).first<{ revoked_at: number | null }>())!.revoked_at,
    ).toBeNull();
  });
});
