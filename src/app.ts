import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from './env';
import { renderProblem } from './http/errors';
import { methodNotAllowed } from './http/method-not-allowed';
import { problemResponse } from './lib/problem';
import { apiKey } from './middleware/api-key';
import { limitBody } from './middleware/body-limit';
import { requestId, withDeps } from './middleware/context';
import { cors } from './middleware/cors';
import { securityHeaders } from './middleware/security-headers';
import { strictJson } from './middleware/strict-json';
import { auditRouter } from './routes/audit/audit.index';
import { docsRouter } from './routes/docs/docs.index';
import { emailRouter } from './routes/email/email.index';
import { loginsRouter } from './routes/logins/logins.index';
import { metaRouter } from './routes/meta/meta.index';
import { mfaRouter } from './routes/mfa/mfa.index';
import { orgsRouter } from './routes/orgs/orgs.index';
import { clientsRouter } from './routes/clients/clients.index';
import { photosRouter } from './routes/photos/photos.index';
import { sessionsRouter } from './routes/sessions/sessions.index';
import { errorPage, wantsPage } from './routes/pages/page-errors';
import { pagesRouter } from './routes/pages/pages.index';
import { tokenRouter } from './routes/token/token.index';
import { usersRouter } from './routes/users/users.index';

/** The JSON API: its body checks and problem+json errors, shared by its route groups. */
function apiRouter() {
  const api = new OpenAPIHono<AppEnv>();
  api.use('*', withDeps(), apiKey(), limitBody(), strictJson());
  for (const group of [metaRouter, usersRouter, emailRouter, loginsRouter, sessionsRouter, photosRouter, mfaRouter, auditRouter, orgsRouter, clientsRouter])
    api.route('/', group);
  api.onError(renderProblem);
  return api;
}

/**
 * Builds the worker. Global middleware is what every response needs and nothing else (request
 * id, security headers, CORS); each front door then brings its own body handling and error
 * rendering: /token (RFC 6749), the pages (HTML), the JSON API (problem+json), the documents
 * (their own CSP).
 * /token is mounted before the API so that its requests end in its own router: Hono runs
 * matching handlers in order and stops at the first that answers.
 */
export function createApp() {
  const app = new OpenAPIHono<AppEnv>();
  app.use('*', requestId(), securityHeaders(), cors());
  app.route('/token', tokenRouter);
  app.route('/', pagesRouter());
  app.route('/', apiRouter());
  app.route('/', docsRouter(app));
  app.notFound((c) => {
    const wrong = methodNotAllowed(c, app.routes);
    // The pages' own paths answer with a page; everything else stays problem+json.
    if (wantsPage(c))
      return errorPage(
        c,
        wrong ? 405 : 404,
        wrong ? 'This address does not take that kind of request.' : 'There is no page at this address.',
        wrong ? { allow: wrong.headers.get('allow') ?? '' } : {},
      );
    return wrong ?? problemResponse('not_found', 'No such resource');
  });
  app.onError(renderProblem);
  return app;
}

export const app = createApp();
