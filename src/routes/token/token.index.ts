import { createRouter } from '../../lib/router';
import { revokeHandler, tokenHandler } from './token.handlers';
import { revoke, token } from './token.routes';

// Documented through the registry, routed by hand: these answer RFC 6749 errors.
export const tokenRouter = createRouter();
tokenRouter.openAPIRegistry.registerPath(token);
tokenRouter.openAPIRegistry.registerPath(revoke);
tokenRouter.post('/token', tokenHandler);
tokenRouter.post('/token/revoke', revokeHandler);
