import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { body, del, get, patch, put } from '../helpers/api';
import { signedIn, type SignedIn } from '../helpers/factories';
import { addMember, createOrg, orgWorld, signedInMember } from '../helpers/orgs';
import { expectProblem } from '../helpers/problems';

let admin: SignedIn;
let org: { id: string; name: string };
let orgAdmin: SignedIn;
let member: SignedIn;
let outsider: SignedIn;

beforeAll(async () => {
  ({ admin, org, orgAdmin, member } = await orgWorld());
  outsider = await signedIn();
});

const rowOf = (uuid: string) =>
  env.DB.prepare('select organization_id, org_role, role, disabled, city, username from users where uuid = ?').bind(uuid).first<Record<string, unknown>>();

describe('organizations', () => {
  it('shows the membership on the User', async () => {
    const me = await body(await get('/user/me', { token: member.access }));
    expect(me).toMatchObject({ organization_id: org.id, org_role: 'member' });
    expect((await body(await get('/user/me', { token: outsider.access }))).organization_id).toBeNull();
  });

  it('lets an org admin read its organization, and answers 404 to members and outsiders', async () => {
    expect((await body(await get(`/organizations/${org.id}`, { token: orgAdmin.access }))).name).toBe(org.name);
    await expectProblem(await get(`/organizations/${org.id}`, { token: member.access }), 404);
    await expectProblem(await get(`/organizations/${org.id}`, { token: outsider.access }), 404);
  });

  it('lets only a global admin rename or delete an organization (403 to its admin, 404 to others)', async () => {
    await expectProblem(await patch(`/organizations/${org.id}`, { token: orgAdmin.access, json: { name: 'x' } }), 403);
    await expectProblem(await patch(`/organizations/${org.id}`, { token: outsider.access, json: { name: 'x' } }), 404);
    await expectProblem(await del(`/organizations/${org.id}`, { token: orgAdmin.access }), 403);
    const renamed = await patch(`/organizations/${org.id}`, { token: admin.access, json: { name: 'Renamed' } });
    expect((await body(renamed)).name).toBe('Renamed');
  });

  it('deletes an organization and detaches its members', async () => {
    const gone = await createOrg(admin);
    const someone = await signedInMember(admin, gone.id, 'admin');
    expect((await del(`/organizations/${gone.id}`, { token: admin.access })).status).toBe(204);
    expect(await rowOf(someone.uuid)).toMatchObject({ organization_id: null, org_role: null });
    await expectProblem(await get(`/organizations/${gone.id}`, { token: admin.access }), 404);
  });
});

describe('members', () => {
  it('lists members to the org admin and the global admin; 404 to members and outsiders', async () => {
    const page = await body<{ items: { uuid: string }[] }>(await get(`/organizations/${org.id}/members`, { token: orgAdmin.access }));
    expect(page.items.map((u) => u.uuid)).toEqual(expect.arrayContaining([orgAdmin.uuid, member.uuid]));
    expect(page.items.map((u) => u.uuid)).not.toContain(outsider.uuid);
    expect((await get(`/organizations/${org.id}/members`, { token: admin.access })).status).toBe(200);
    await expectProblem(await get(`/organizations/${org.id}/members`, { token: member.access }), 404);
    await expectProblem(await get(`/organizations/${org.id}/members`, { token: outsider.access }), 404);
  });

  it('lets an org admin read a member, and answers 404 for a user outside the organization', async () => {
    expect((await body(await get(`/user/${member.uuid}`, { token: orgAdmin.access }))).uuid).toBe(member.uuid);
    await expectProblem(await get(`/user/${outsider.uuid}`, { token: orgAdmin.access }), 404);
    await expectProblem(await get(`/user/${orgAdmin.uuid}`, { token: member.access }), 404);
  });

  it("lets an org admin change a member's profile fields, never their role, disabled or username", async () => {
    const res = await patch(`/user/${member.uuid}`, { token: orgAdmin.access, json: { city: 'Porto' } });
    expect(res.status, await res.clone().text()).toBe(200);
    expect((await rowOf(member.uuid))?.city).toBe('Porto');
    await expectProblem(await patch(`/user/${member.uuid}`, { token: orgAdmin.access, json: { role: 'admin' } }), 403);
    await expectProblem(await patch(`/user/${member.uuid}`, { token: orgAdmin.access, json: { disabled: true } }), 403);
    await expectProblem(await patch(`/user/${member.uuid}`, { token: orgAdmin.access, json: { username: `renamed${Date.now()}` } }), 403);
    await expectProblem(await patch(`/user/${member.uuid}`, { token: orgAdmin.access, json: { email: 'x@example.com' } }), 422);
    expect(await rowOf(member.uuid)).toMatchObject({ role: 'normal', disabled: 0, username: member.username });
  });

  it('answers 404 to an org admin changing a user outside the organization, and changes nothing', async () => {
    await expectProblem(await patch(`/user/${outsider.uuid}`, { token: orgAdmin.access, json: { city: 'Elsewhere' } }), 404);
    expect((await rowOf(outsider.uuid))?.city).toBeNull();
    await expectProblem(await put(`/organizations/${org.id}/members/${outsider.uuid}`, { token: orgAdmin.access, json: { role: 'member' } }), 404);
    await expectProblem(await del(`/organizations/${org.id}/members/${outsider.uuid}`, { token: orgAdmin.access }), 404);
    expect((await rowOf(outsider.uuid))?.organization_id).toBeNull();
  });

  it("lets an org admin change a member's org role and remove them", async () => {
    const someone = await signedInMember(admin, org.id, 'member');
    const res = await put(`/organizations/${org.id}/members/${someone.uuid}`, { token: orgAdmin.access, json: { role: 'admin' } });
    expect((await body(res)).org_role).toBe('admin');
    expect((await del(`/organizations/${org.id}/members/${someone.uuid}`, { token: orgAdmin.access })).status).toBe(204);
    expect(await rowOf(someone.uuid)).toMatchObject({ organization_id: null, org_role: null });
  });

  it("gives an org admin no power over another organization's members", async () => {
    const other = await createOrg(admin);
    const theirs = await signedInMember(admin, other.id, 'member');
    await expectProblem(await get(`/organizations/${other.id}/members`, { token: orgAdmin.access }), 404);
    await expectProblem(await get(`/user/${theirs.uuid}`, { token: orgAdmin.access }), 404);
    await expectProblem(await put(`/organizations/${other.id}/members/${theirs.uuid}`, { token: orgAdmin.access, json: { role: 'admin' } }), 404);
    await expectProblem(await put(`/organizations/${org.id}/members/${theirs.uuid}`, { token: orgAdmin.access, json: { role: 'member' } }), 404);
    expect(await rowOf(theirs.uuid)).toMatchObject({ organization_id: other.id, org_role: 'member' });
  });

  it('answers 409 when the global admin adds a member of another organization', async () => {
    const other = await createOrg(admin);
    const theirs = await signedIn();
    await addMember(admin, other.id, theirs, 'member');
    await expectProblem(await put(`/organizations/${org.id}/members/${theirs.uuid}`, { token: admin.access, json: { role: 'member' } }), 409);
    expect((await rowOf(theirs.uuid))?.organization_id).toBe(other.id);
  });

  it('takes effect at once: a removed org admin loses access on the next request', async () => {
    const leaving = await signedInMember(admin, org.id, 'admin');
    expect((await get(`/organizations/${org.id}/members`, { token: leaving.access })).status).toBe(200);
    await del(`/organizations/${org.id}/members/${leaving.uuid}`, { token: admin.access });
    await expectProblem(await get(`/organizations/${org.id}/members`, { token: leaving.access }), 404);
  });
});
