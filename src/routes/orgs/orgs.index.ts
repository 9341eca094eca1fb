import { createRouter } from '../../http/router';
import * as handlers from './orgs.handlers';
import * as routes from './orgs.routes';

export const orgsRouter = createRouter()
  .openapi(routes.createOrg, handlers.createOrgHandler)
  .openapi(routes.listOrgs, handlers.listOrgsHandler)
  .openapi(routes.getOrg, handlers.getOrgHandler)
  .openapi(routes.renameOrg, handlers.renameOrgHandler)
  .openapi(routes.deleteOrg, handlers.deleteOrgHandler)
  .openapi(routes.listMembers, handlers.listMembersHandler)
  .openapi(routes.setMember, handlers.setMemberHandler)
  .openapi(routes.removeMember, handlers.removeMemberHandler)
  .openapi(routes.inviteMember, handlers.inviteMemberHandler)
  .openapi(routes.acceptInvitation, handlers.acceptInvitationHandler);
