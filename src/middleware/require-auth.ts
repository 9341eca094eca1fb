import { createMiddleware } from 'hono/factory';
import { ConfigError } from '../config';
import type { AppEnv } from '../env';
import { verifyAccessToken } from '../lib/jwt';
import { forbidden, unauthorized } from '../lib/problem';
import { anyone, type Rule } from '../policy/rules';
import { tokenSettings } from '../services/auth/access-token';
import { apiKeyInvalid } from '../services/clients/api-key';
import { assertClientWithinLimit } from '../services/clients/client-limit';

const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/i;

/**
 * Requires a valid access token (signature, alg, typ, iss, aud, exp, iat: no D1 yet) and hands
 * the service `c.var.access`: the claims and the route's rule. The service loads the caller
 * with its own statements (src/policy/caller.ts), so the caller and the route's work share one
 * D1 round trip, and the rule guards the route's writes. The caller's role and status come
 * from D1 there, never from the token.
 *
 * Fails closed: a handler that answers without the caller having been checked is a bug, and
 * its response is replaced by a 500 rather than served on the token's word alone.
 *
 * @example middleware: [requireAuth()] as const        // any signed-in user
 * @example middleware: [requireAuth(admin)] as const   // 403 for other roles
 *
 * A client-credentials token (`sub` = its `client_id`) is refused with 403 except where the route
 * says `{ clients: true }` (its organization's members); its caller is then the client's row.
 */
export const requireAuth = (rule: Rule = anyone, opts: { clients?: boolean } = {}) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const header = c.req.header('authorization');
    const match = BEARER.exec(header ?? '');
    if (!match) throw unauthorized('A bearer token is required', Boolean(header));
    try {
      const claims = await verifyAccessToken(tokenSettings(c.var.deps.config), match[1]!, c.var.deps.now());
      const client = claims.sub === claims.client_id;
      c.set('access', { claims: { sub: claims.sub, sid: claims.sid, clientId: claims.client_id, ...(client ? { client } : {}) }, rule, checked: false });
    } catch (err) {
      if (err instanceof ConfigError) throw err;
      throw unauthorized('The access token is invalid or expired');
    }
    // A token obtained through a third-party client works only with that client's key (SPEC
    // "Using a key"): the key check in the first batch then also matches the token's client id.
    const { deps } = c.var;
    const tokenClient = c.var.access.claims.clientId;
    if (tokenClient && tokenClient !== deps.config.FIRST_PARTY_CLIENT_ID) {
      if (deps.apiKey) deps.apiKey.expect = tokenClient;
      else if (deps.config.REQUIRE_API_KEY === 'on') throw apiKeyInvalid('This token works only with the API key it was obtained with');
    }
    if (c.var.access.claims.client && !opts.clients) throw forbidden("A client's token may only list and read its organization's members");
    // A client_credentials token sent with its key was counted by the key already (src/middleware/api-key.ts).
    if (c.var.access.claims.client && !deps.apiKey) await assertClientWithinLimit(deps, { clientId: c.var.access.claims.sub });
    await next();
    if (!c.var.access.checked && c.res.status < 400) throw new Error(`${c.req.method} ${c.req.routePath} answered without checking the caller`);
  });
