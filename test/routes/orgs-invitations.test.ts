import { env } from 'cloudflare:workers';
import { beforeAll, describe, expect, it } from 'vitest';
import { body, post } from '../helpers/api';
import { signedIn, type SignedIn } from '../helpers/factories';
import { createOrg, markVerified, orgWorld, sendInvitation, signedInMember } from '../helpers/orgs';
import { expectProblem } from '../helpers/problems';

/** Invitations (SPEC "Organizations"): by email, a single-use 7-day code, accepted by the verified invitee. */
let admin: SignedIn;
let org: { id: string; name: string };
let orgAdmin: SignedIn;
let member: SignedIn;

beforeAll(async () => {
  ({ admin, org, orgAdmin, member } = await orgWorld());
});

/** Invites `email` into this file's organization (or `orgId`) as `by`: the response, the messages and the code. */
const invite = (by: SignedIn, email: string, role: 'member' | 'admin' = 'member', orgId = org.id) => sendInvitation(by, orgId, email, role);
const accept = (user: SignedIn, token: string) => post('/invitations/accept', { token: user.access, json: { token } });

describe('invitations', () => {
  it('lets an org admin invite an address: 201 without the code, the code only in the message, its hash in D1 for 7 days, an event', async () => {
    const invitee = await signedIn();
    const { res, code, box } = await invite(orgAdmin, invitee.email, 'admin');
    expect(res.status).toBe(201);
    const text = await res.clone().text();
    const sent = await body<Record<string, string>>(res);
    expect(sent).toMatchObject({ organization_id: org.id, email: invitee.email, role: 'admin' });
    expect(code).toBeDefined();
    expect(text).not.toContain(code!);
    expect(box.sent).toHaveLength(1);
    const row = await env.DB.prepare('select hash, expires_at - created_at as ttl, invited_by from invitations where email = ?')
      .bind(invitee.email)
      .first<Record<string, unknown>>();
    expect(row).toMatchObject({ ttl: 7 * 24 * 3_600_000, invited_by: orgAdmin.uuid });
    expect(row!.hash).not.toBe(code);
    const event = await env.DB.prepare("select detail from audit_events where event = 'org.invited' and actor_uuid = ? order by id desc limit 1")
      .bind(orgAdmin.uuid)
      .first<{ detail: string }>();
    expect(event?.detail).not.toContain(code!);
    expect(JSON.parse(event!.detail)).toEqual({ organization: org.id, role: 'admin' });
  });

  it('lets a global admin invite, and answers 404 to a member or an outsider (nothing stored, nothing sent)', async () => {
    expect((await invite(admin, `g${crypto.randomUUID().slice(0, 8)}@example.com`)).res.status).toBe(201);
    for (const who of [member, await signedIn()]) {
      const email = `n${crypto.randomUUID().slice(0, 8)}@example.com`;
      const { res, box } = await invite(who, email);
      await expectProblem(res, 404);
      expect(box.sent).toHaveLength(0);
      expect(await env.DB.prepare('select count(*) as n from invitations where email = ?').bind(email).first()).toEqual({ n: 0 });
    }
  });

  it('makes the verified invitee a member with the role, once; a second use is the one 400', async () => {
    const invitee = await signedIn();
    const { code } = await invite(orgAdmin, invitee.email, 'admin');
    await markVerified(invitee);
    const res = await accept(invitee, code!);
    expect(res.status).toBe(200);
    expect(await body(res)).toMatchObject({ organization_id: org.id, org_role: 'admin' });
    const event = await env.DB.prepare("select detail from audit_events where event = 'org.invitation_accepted' and subject_uuid = ?")
      .bind(invitee.uuid)
      .first<{ detail: string }>();
    expect(JSON.parse(event!.detail)).toEqual({ organization: org.id, role: 'admin' });
    await expectProblem(await accept(invitee, code!), 400, 'email_token_invalid');
  });

  it('refuses with 403 a caller whose address is not verified or not the invited one, and keeps the invitation', async () => {
    const invitee = await signedIn();
    const { code } = await invite(orgAdmin, invitee.email);
    await expectProblem(await accept(invitee, code!), 403, 'invitation_invalid');
    const stranger = await signedIn();
    await markVerified(stranger);
    await expectProblem(await accept(stranger, code!), 403, 'invitation_invalid');
    expect((await env.DB.prepare('select organization_id as o from users where uuid = ?').bind(stranger.uuid).first())?.o).toBeNull();
    await markVerified(invitee);
    expect((await accept(invitee, code!)).status).toBe(200);
  });

  it("voids an address's earlier invitation when it is invited again: only the newest code works, and only in its own organization", async () => {
    const invitee = await signedIn();
    await markVerified(invitee);
    const first = await invite(orgAdmin, invitee.email, 'admin');
    const second = await invite(orgAdmin, invitee.email, 'member');
    expect(first.code).toBeDefined();
    expect(second.code).toBeDefined();
    // Another organization's invitation to the same address is not touched by this one's.
    const otherOrg = await createOrg(admin);
    const elsewhere = await invite(admin, invitee.email, 'member', otherOrg.id);
    const third = await invite(orgAdmin, invitee.email, 'member');
    await expectProblem(await accept(invitee, first.code!), 400, 'email_token_invalid');
    await expectProblem(await accept(invitee, second.code!), 400, 'email_token_invalid');
    expect(await env.DB.prepare('select organization_id as o from users where uuid = ?').bind(invitee.uuid).first()).toEqual({ o: null });
    const res = await accept(invitee, third.code!);
    expect(res.status).toBe(200);
    expect(await body(res)).toMatchObject({ organization_id: org.id, org_role: 'member' });
    expect(
      await env.DB.prepare('select used_at is not null as used from invitations where organization_id = ? and email = ?')
        .bind(otherOrg.id, invitee.email)
        .first(),
    ).toEqual({ used: 0 });
    expect(elsewhere.res.status).toBe(201);
  });

  it('answers 409 to a member of another organization and leaves the invitation usable', async () => {
    const elsewhere = await signedInMember(admin, (await createOrg(admin)).id, 'member');
    await markVerified(elsewhere);
    const { code } = await invite(orgAdmin, elsewhere.email);
    await expectProblem(await accept(elsewhere, code!), 409, 'other_organization');
    expect(
      await env.DB.prepare("select count(*) as n from audit_events where event = 'org.invitation_accepted' and subject_uuid = ?").bind(elsewhere.uuid).first(),
    ).toEqual({ n: 0 });
    expect(await env.DB.prepare('select used_at as u from invitations where email = ?').bind(elsewhere.email).first()).toEqual({ u: null });
  });

  it('answers the one 400 to a malformed, unknown or expired code', async () => {
    const invitee = await signedIn();
    await markVerified(invitee);
    const { code } = await invite(orgAdmin, invitee.email);
    await env.DB.prepare('update invitations set expires_at = ? where email = ?')
      .bind(Date.now() - 1, invitee.email)
      .run();
    for (const token of ['short', 'A'.repeat(43), code!]) await expectProblem(await accept(invitee, token), 400, 'email_token_invalid');
  });
});
