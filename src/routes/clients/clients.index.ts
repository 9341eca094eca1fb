import { createRouter } from '../../http/router';
import * as handlers from './clients.handlers';
import * as routes from './clients.routes';

export const clientsRouter = createRouter()
  .openapi(routes.createClient, handlers.createClientHandler)
  .openapi(routes.listClients, handlers.listClientsHandler)
  .openapi(routes.revokeClient, handlers.revokeClientHandler);
