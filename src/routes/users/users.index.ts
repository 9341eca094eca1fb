import { createRouter } from '../../http/router';
import * as handlers from './users.handlers';
import * as routes from './users.routes';

// /user/me routes first: "me" would otherwise be tried as a {uuid}.
export const usersRouter = createRouter()
  .openapi(routes.signUp, handlers.signUpHandler)
  .openapi(routes.listUsers, handlers.listUsersHandler)
  .openapi(routes.getMe, handlers.getMeHandler)
  .openapi(routes.patchMe, handlers.patchMeHandler)
  .openapi(routes.deleteMe, handlers.deleteMeHandler)
  .openapi(routes.changePassword, handlers.changePasswordHandler)
  .openapi(routes.getUser, handlers.getUserHandler)
  .openapi(routes.patchUser, handlers.patchUserHandler)
  .openapi(routes.deleteUser, handlers.deleteUserHandler);
