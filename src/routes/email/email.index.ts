import { createRouter } from '../../http/router';
import * as handlers from './email.handlers';
import * as routes from './email.routes';

export const emailRouter = createRouter()
  .openapi(routes.resendVerification, handlers.resendVerificationHandler)
  .openapi(routes.requestEmailChange, handlers.requestEmailChangeHandler)
  .openapi(routes.forgotPassword, handlers.forgotPasswordHandler)
  .openapi(routes.resetPassword, handlers.resetPasswordHandler)
  .openapi(routes.verifyEmail, handlers.verifyEmailHandler);
