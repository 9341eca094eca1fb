import { createRouter } from '../../http/router';
import * as handlers from './meta.handlers';
import * as routes from './meta.routes';

export const metaRouter = createRouter()
  .openapi(routes.root, handlers.rootHandler)
  .openapi(routes.health, handlers.healthHandler)
  .openapi(routes.jwks, handlers.jwksHandler)
  .openapi(routes.authorizationServer, handlers.authorizationServerHandler)
  .openapi(routes.roles, handlers.rolesHandler);
