import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env';
import { apiKey } from '../../middleware/api-key';
import { limitBody } from '../../middleware/body-limit';
import { withDeps } from '../../middleware/context';
import { revokeHandler, tokenHandler } from './token.handlers';
import { renderOAuthError } from './token.errors';
import { revoke, token } from './token.routes';

/**
 * The token endpoint, mounted at /token: documented through the registry, routed by hand, and
 * with its own error renderer, because everything here answers RFC 6749 bodies (a body over
 * the limit and a broken configuration included), which the API's problem+json would not be.
 */
export const tokenRouter = new OpenAPIHono<AppEnv>();
tokenRouter.openAPIRegistry.registerPath(token);
tokenRouter.openAPIRegistry.registerPath(revoke);
tokenRouter.use('*', withDeps(), apiKey(), limitBody());
tokenRouter.post('/', tokenHandler);
tokenRouter.post('/revoke', revokeHandler);
tokenRouter.onError(renderOAuthError);
