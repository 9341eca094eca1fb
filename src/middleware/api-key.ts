import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';
import { apiKeyHash } from '../services/clients/keys';
import { apiKeyInvalid, checkKeyAlone, withKeyCheck } from '../services/clients/api-key';
import { assertClientWithinLimit } from '../services/clients/client-limit';

/**
 * What needs no key even with REQUIRE_API_KEY=on: the service's description, its health, the
 * documents and their vendored assets (the API's middleware also sees the paths the docs router
 * answers after it). The pages have their own router, before the API, without this middleware.
 */
const OPEN_PATHS = new Set(['/', '/health', '/openapi.json', '/docs', '/redocs']);
/**
 * True for a path (or an OpenAPI path template) that never needs an X-API-Key, whatever
 * REQUIRE_API_KEY says. /openapi.json marks every other operation with the ApiKey scheme from
 * this same predicate (src/routes/docs/docs.index.ts), so the document and this middleware agree.
 */
export const keyNeverRequired = (path: string) => OPEN_PATHS.has(path) || path.startsWith('/.well-known/') || path.startsWith('/vendor/');

/**
 * `X-API-Key` (SPEC "Using a key"), after withDeps in the API and /token. A key that is sent is
 * always checked; with REQUIRE_API_KEY=on a request without one is refused at once (no D1).
 * The check itself costs no round trip: the request's first batch starts with it
 * (src/services/clients/api-key.ts) and fails as a whole for an unknown or revoked key. A
 * route that sends no batch of its own has the key checked alone before its answer leaves.
 */
export const apiKey = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    const deps = c.var.deps;
    const presented = c.req.header('x-api-key');
    if (presented === undefined) {
      if (deps.config.REQUIRE_API_KEY === 'on' && !keyNeverRequired(c.req.path)) throw apiKeyInvalid('An X-API-Key is required');
      return next();
    }
    const hash = await apiKeyHash(presented.trim());
    if (!hash) throw apiKeyInvalid('The API key is malformed');
    await assertClientWithinLimit(deps, { keyHash: hash });
    const use = { hash, checked: false };
    deps.apiKey = use;
    deps.db = withKeyCheck(deps.db, use, deps.now, deps.defer);
    await next();
    if (!use.checked && c.res.status < 400) await checkKeyAlone(deps.db);
  });
