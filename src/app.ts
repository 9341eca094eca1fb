import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from './env';
import { renderError } from './lib/errors';
import { methodNotAllowed } from './lib/method-not-allowed';
import { problemResponse } from './lib/problem';
import { limitBody } from './middleware/body-limit';
import { context } from './middleware/context';
import { cors } from './middleware/cors';
import { securityHeaders } from './middleware/security-headers';
import { strictJson } from './middleware/strict-json';
import { mountDocs } from './routes/docs/docs.index';
import { loginsRouter } from './routes/logins/logins.index';
import { metaRouter } from './routes/meta/meta.index';
import { photosRouter } from './routes/photos/photos.index';
import { sessionsRouter } from './routes/sessions/sessions.index';
import { tokenRouter } from './routes/token/token.index';
import { usersRouter } from './routes/users/users.index';

/** Builds the worker: middleware, route groups, error rendering and the API documents. */
export function createApp() {
  const app = new OpenAPIHono<AppEnv>();
  app.use('*', securityHeaders());
  app.use('*', cors());
  app.use('*', context());
  app.use('*', limitBody());
  app.use('*', strictJson());

  app.route('/', metaRouter);
  app.route('/', tokenRouter);
  app.route('/', usersRouter);
  app.route('/', loginsRouter);
  app.route('/', sessionsRouter);
  app.route('/', photosRouter);
  mountDocs(app);

  app.notFound((c) => methodNotAllowed(c, app.routes) ?? problemResponse(404, 'No such resource'));
  app.onError(renderError);
  return app;
}

export const app = createApp();
