import type { AppRouteHandler } from '../../http/openapi';
import { decodeCursor } from '../../lib/pagination';
import { toOrganizationDto } from '../../schemas/organization';
import { toUserDto } from '../../schemas/user';
import { acceptInvitation } from '../../services/orgs/accept-invitation';
import { createOrg } from '../../services/orgs/create-org';
import { inviteMember } from '../../services/orgs/invite-member';
import { deleteOrganization } from '../../services/orgs/delete-org';
import { listMembers } from '../../services/orgs/list-members';
import { getOrg, listOrgs } from '../../services/orgs/read-orgs';
import { removeMember } from '../../services/orgs/remove-member';
import { renameOrganization } from '../../services/orgs/rename-org';
import { setMember } from '../../services/orgs/set-member';
import type * as routes from './orgs.routes';
import { toInvitationDto } from './orgs.schemas';

export const createOrgHandler: AppRouteHandler<typeof routes.createOrg> = async (c) => {
  const org = await createOrg(c.var.deps, c.var.access, c.req.valid('json'));
  c.header('location', `/organizations/${org.id}`);
  return c.json(toOrganizationDto(org), 201);
};

export const listOrgsHandler: AppRouteHandler<typeof routes.listOrgs> = async (c) => {
  const q = c.req.valid('query');
  const page = await listOrgs(c.var.deps, c.var.access, { limit: q.limit, after: decodeCursor(q.cursor) });
  return c.json({ items: page.items.map(toOrganizationDto), next_cursor: page.next_cursor }, 200);
};

export const getOrgHandler: AppRouteHandler<typeof routes.getOrg> = async (c) =>
  c.json(toOrganizationDto(await getOrg(c.var.deps, c.var.access, c.req.valid('param').id)), 200);

export const renameOrgHandler: AppRouteHandler<typeof routes.renameOrg> = async (c) =>
  c.json(toOrganizationDto(await renameOrganization(c.var.deps, c.var.access, c.req.valid('param').id, c.req.valid('json'))), 200);

export const deleteOrgHandler: AppRouteHandler<typeof routes.deleteOrg> = async (c) => {
  await deleteOrganization(c.var.deps, c.var.access, c.req.valid('param').id);
  return c.body(null, 204);
};

export const listMembersHandler: AppRouteHandler<typeof routes.listMembers> = async (c) => {
  const q = c.req.valid('query');
  const page = await listMembers(c.var.deps, c.var.access, c.req.valid('param').id, { limit: q.limit, after: decodeCursor(q.cursor) });
  return c.json({ items: page.items.map(toUserDto), next_cursor: page.next_cursor }, 200);
};

export const setMemberHandler: AppRouteHandler<typeof routes.setMember> = async (c) => {
  const { id, uuid } = c.req.valid('param');
  return c.json(toUserDto(await setMember(c.var.deps, c.var.access, id, uuid, c.req.valid('json').role)), 200);
};

export const removeMemberHandler: AppRouteHandler<typeof routes.removeMember> = async (c) => {
  const { id, uuid } = c.req.valid('param');
  await removeMember(c.var.deps, c.var.access, id, uuid);
  return c.body(null, 204);
};

export const inviteMemberHandler: AppRouteHandler<typeof routes.inviteMember> = async (c) =>
  c.json(toInvitationDto(await inviteMember(c.var.deps, c.var.access, c.req.valid('param').id, c.req.valid('json'))), 201);

export const acceptInvitationHandler: AppRouteHandler<typeof routes.acceptInvitation> = async (c) =>
  c.json(toUserDto(await acceptInvitation(c.var.deps, c.var.access, c.req.valid('json'))), 200);
