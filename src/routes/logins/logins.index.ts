import { createRouter } from '../../http/router';
import * as handlers from './logins.handlers';
import * as routes from './logins.routes';

export const loginsRouter = createRouter()
  .openapi(routes.listMyLogins, handlers.listMyLoginsHandler)
  .openapi(routes.getMyLogin, handlers.getMyLoginHandler)
  .openapi(routes.listUserLogins, handlers.listUserLoginsHandler)
  .openapi(routes.getUserLogin, handlers.getUserLoginHandler)
  .openapi(routes.listAllLogins, handlers.listAllLoginsHandler)
  .openapi(routes.getLogin, handlers.getLoginHandler);
