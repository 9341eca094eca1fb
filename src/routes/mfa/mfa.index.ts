import { createRouter } from '../../http/router';
import * as handlers from './mfa.handlers';
import * as routes from './mfa.routes';

export const mfaRouter = createRouter()
  .openapi(routes.enrolTotp, handlers.enrolTotpHandler)
  .openapi(routes.activateTotp, handlers.activateTotpHandler)
  .openapi(routes.disableTotp, handlers.disableTotpHandler)
  .openapi(routes.regenerateRecoveryCodes, handlers.regenerateRecoveryCodesHandler)
  .openapi(routes.resetUserMfa, handlers.resetUserMfaHandler);
