import { createRouter } from '../../http/router';
import * as handlers from './sessions.handlers';
import * as routes from './sessions.routes';

export const sessionsRouter = createRouter()
  .openapi(routes.listMySessions, handlers.listMySessionsHandler)
  .openapi(routes.deleteMySession, handlers.deleteMySessionHandler)
  .openapi(routes.deleteUserSessions, handlers.deleteUserSessionsHandler);
