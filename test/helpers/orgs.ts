import { expect } from 'vitest';
import { body, post, put } from './api';
import { signedIn, type SignedIn } from './factories';

/** A new organization, created through the API by `admin`. */
export async function createOrg(admin: SignedIn, name = `Org ${crypto.randomUUID().slice(0, 6)}`): Promise<{ id: string; name: string }> {
  const res = await post('/organizations', { token: admin.access, json: { name } });
  expect(res.status, await res.clone().text()).toBe(201);
  return body(res);
}

/** Makes `user` a member of `orgId` with `role` (as the global admin `admin`). */
export async function addMember(admin: SignedIn, orgId: string, user: { uuid: string }, role: 'member' | 'admin') {
  const res = await put(`/organizations/${orgId}/members/${user.uuid}`, { token: admin.access, json: { role } });
  expect(res.status, await res.clone().text()).toBe(200);
}

/** A signed-in user who is `role` of `orgId`. */
export async function signedInMember(admin: SignedIn, orgId: string, role: 'member' | 'admin'): Promise<SignedIn> {
  const user = await signedIn();
  await addMember(admin, orgId, user, role);
  return user;
}
