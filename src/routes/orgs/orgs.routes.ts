import { createRoute } from '@hono/zod-openapi';
import { bearer, json, jsonBody, problems } from '../../http/openapi';
import { PageQuery } from '../../lib/pagination';
import { requireAuth } from '../../middleware/require-auth';
import { admin } from '../../policy/rules';
import { OrganizationPageSchema, OrganizationSchema, OrgIdParam } from '../../schemas/organization';
import { UserPageSchema, UserSchema } from '../../schemas/user';
import { AcceptInvitationSchema, InvitationInputSchema, InvitationSchema, MembershipSchema, OrganizationInputSchema, OrgMemberParams } from './orgs.schemas';

const tags = ['Organizations'];

export const createOrg = createRoute({
  method: 'post',
  path: '/organizations',
  tags,
  summary: 'Create an organization (admin)',
  security: bearer,
  middleware: [requireAuth(admin)] as const,
  request: { body: jsonBody(OrganizationInputSchema) },
  responses: { 201: json(OrganizationSchema, 'The new organization'), ...problems(400, 401, 403, 413, 415, 422) },
});

export const listOrgs = createRoute({
  method: 'get',
  path: '/organizations',
  tags,
  summary: 'All organizations, newest first (admin)',
  security: bearer,
  middleware: [requireAuth(admin)] as const,
  request: { query: PageQuery },
  responses: { 200: json(OrganizationPageSchema, 'A page of organizations'), ...problems(401, 403, 422) },
});

export const getOrg = createRoute({
  method: 'get',
  path: '/organizations/{id}',
  tags,
  summary: 'One organization (admin, or an admin of it)',
  security: bearer,
  middleware: [requireAuth()] as const,
  request: { params: OrgIdParam },
  responses: { 200: json(OrganizationSchema, 'The organization'), ...problems(401, 404) },
});

export const renameOrg = createRoute({
  method: 'patch',
  path: '/organizations/{id}',
  tags,
  summary: 'Rename an organization (admin)',
  security: bearer,
  middleware: [requireAuth()] as const,
  request: { params: OrgIdParam, body: jsonBody(OrganizationInputSchema) },
  responses: { 200: json(OrganizationSchema, 'The renamed organization'), ...problems(400, 401, 403, 404, 413, 415, 422) },
});

export const deleteOrg = createRoute({
  method: 'delete',
  path: '/organizations/{id}',
  tags,
  summary: "Delete an organization (admin): members detached, its clients' keys and sessions ended",
  security: bearer,
  middleware: [requireAuth()] as const,
  request: { params: OrgIdParam },
  responses: { 204: { description: 'Deleted' }, ...problems(400, 401, 403, 404, 413) },
});

export const listMembers = createRoute({
  method: 'get',
  path: '/organizations/{id}/members',
  tags,
  summary: "An organization's members, newest first (admin, its admins, its clients' tokens)",
  security: bearer,
  middleware: [requireAuth(undefined, { clients: true })] as const,
  request: { params: OrgIdParam, query: PageQuery },
  responses: { 200: json(UserPageSchema, 'A page of members'), ...problems(401, 403, 404, 422) },
});

export const setMember = createRoute({
  method: 'put',
  path: '/organizations/{id}/members/{uuid}',
  tags,
  summary: "Set a user's membership and org role (admin: anyone not in another organization; an org admin: its own members)",
  security: bearer,
  middleware: [requireAuth()] as const,
  request: { params: OrgMemberParams, body: jsonBody(MembershipSchema) },
  responses: { 200: json(UserSchema, 'The member'), ...problems(400, 401, 403, 404, 409, 413, 415, 422) },
});

export const removeMember = createRoute({
  method: 'delete',
  path: '/organizations/{id}/members/{uuid}',
  tags,
  summary: 'Remove a member from the organization (admin, or an admin of it)',
  security: bearer,
  middleware: [requireAuth()] as const,
  request: { params: OrgMemberParams },
  responses: { 204: { description: 'Removed' }, ...problems(400, 401, 403, 404, 413) },
});

export const inviteMember = createRoute({
  method: 'post',
  path: '/organizations/{id}/invitations',
  tags,
  summary: 'Invite an address into the organization with an org role (admin, or an admin of it); the code goes by email',
  security: bearer,
  middleware: [requireAuth()] as const,
  request: { params: OrgIdParam, body: jsonBody(InvitationInputSchema) },
  responses: { 201: json(InvitationSchema, 'The invitation (its code only in the message)'), ...problems(400, 401, 403, 404, 413, 415, 422) },
});

export const acceptInvitation = createRoute({
  method: 'post',
  path: '/invitations/accept',
  tags,
  summary: "Accept an invitation: join its organization (the caller's verified address must be the invited one)",
  security: bearer,
  middleware: [requireAuth()] as const,
  request: { body: jsonBody(AcceptInvitationSchema) },
  responses: { 200: json(UserSchema, 'The caller, now a member'), ...problems(400, 401, 403, 409, 413, 415, 422) },
});
