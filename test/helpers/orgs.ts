import { env } from 'cloudflare:workers';
import { expect } from 'vitest';
import { body, post, put } from './api';
import { callMail, mailbox } from './email';
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

/** The people of an organization's tests: a global admin, the organization (theirs), one admin and one member of it. */
export async function orgWorld(): Promise<{ admin: SignedIn; org: { id: string; name: string }; orgAdmin: SignedIn; member: SignedIn }> {
  const admin = await signedIn('admin');
  const org = await createOrg(admin);
  const orgAdmin = await signedInMember(admin, org.id, 'admin');
  const member = await signedInMember(admin, org.id, 'member');
  return { admin, org, orgAdmin, member };
}

/** Marks `user`'s address verified, as following the link would (an acceptance needs it). */
export const markVerified = (user: { uuid: string }) => env.DB.prepare('update users set email_verified = 1 where uuid = ?').bind(user.uuid).run();

/**
 * Invites `email` into `orgId` as `by`: the response, the messages it sent and the code the
 * message to `email` carried (none when nothing was sent). Asserts nothing: refusals are tested too.
 */
export async function sendInvitation(by: SignedIn, orgId: string, email: string, role: 'member' | 'admin' = 'member') {
  const box = mailbox();
  const res = await callMail(box, 'POST', `/organizations/${orgId}/invitations`, { token: by.access, json: { email, role } });
  const code = box
    .to(email)
    .map((m) => /Invitation code: ([A-Za-z0-9_-]{43})/.exec(m.text)?.[1])
    .find(Boolean);
  return { res, box, code };
}

/** Invites `email` into `orgId` as `by` (an admin of it or a global admin) and returns the code the message carried. */
export async function invitationCode(by: SignedIn, orgId: string, email: string, role: 'member' | 'admin' = 'member'): Promise<string> {
  const { res, code } = await sendInvitation(by, orgId, email, role);
  expect(res.status, await res.clone().text()).toBe(201);
  if (!code) throw new Error('no invitation code in the message');
  return code;
}

/** A new signed-in user with a verified address, invited into a new organization: what an acceptance needs. */
export async function verifiedInvitee(admin: SignedIn): Promise<{ invitee: SignedIn; code: string }> {
  const invitee = await signedIn();
  await markVerified(invitee);
  return { invitee, code: await invitationCode(admin, (await createOrg(admin)).id, invitee.email) };
}
