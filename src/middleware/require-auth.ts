import { createMiddleware } from 'hono/factory';
import { ConfigError } from '../config';
import type { AppEnv } from '../env';
import type { Role } from '../db/schema';
import { now } from '../lib/clock';
import { verifyAccessToken } from '../lib/jwt';
import { unauthorized } from '../lib/problem';
import { tokenSettings } from '../services/tokens';

const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/i;

/**
 * Requires a valid access token (signature, alg, typ, iss, aud, exp: no D1 yet) and leaves the
 * caller to `authorize` (src/services/caller.ts), which the handler calls with its own
 * statements so that loading the caller and the route's work share one D1 round trip. The
 * caller's role and status come from D1 there, never from the token.
 *
 * Fails closed: a handler that answers without having called `authorize` is a bug, and its
 * response is replaced by a 500 rather than served on the token's word alone.
 *
 * @example middleware: [requireAuth()] as const           // any signed-in user
 * @example middleware: [requireAuth('admin')] as const    // 403 for other roles
 */
export const requireAuth = (role?: Role) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const match = BEARER.exec(c.req.header('authorization') ?? '');
    if (!match) throw unauthorized('A bearer token is required', Boolean(c.req.header('authorization')));
    try {
      const claims = await verifyAccessToken(tokenSettings(c.get('config')), match[1]!, now());
      c.set('claims', { sub: claims.sub, sid: claims.sid });
    } catch (err) {
      if (err instanceof ConfigError) throw err;
      throw unauthorized('The access token is invalid or expired');
    }
    c.set('requiredRole', role);
    await next();
    if (!c.var.auth && c.res.status < 400) throw new Error(`${c.req.method} ${c.req.routePath} answered without authorize()`);
  });
