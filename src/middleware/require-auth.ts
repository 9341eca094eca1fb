import { and, eq, isNull } from 'drizzle-orm';
import { createMiddleware } from 'hono/factory';
import { ConfigError } from '../config';
import type { AppEnv } from '../env';
import { sessions, users, type Role } from '../db/schema';
import { now } from '../lib/clock';
import { verifyAccessToken } from '../lib/jwt';
import { forbidden, unauthorized } from '../lib/problem';
import { tokenSettings } from '../services/tokens';

const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)$/i;

/**
 * Requires a valid access token and loads the caller in one D1 read that also checks the
 * session: a revoked session, a disabled or deleted user is refused at once, and the caller's
 * role is the current one from D1, never the copy in the token.
 *
 * @example middleware: [requireAuth()] as const           // any signed-in user
 * @example middleware: [requireAuth('admin')] as const    // 403 for other roles
 */
export const requireAuth = (role?: Role) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const match = BEARER.exec(c.req.header('authorization') ?? '');
    if (!match) throw unauthorized('A bearer token is required', Boolean(c.req.header('authorization')));
    const config = c.get('config');
    let claims;
    try {
      claims = await verifyAccessToken(tokenSettings(config), match[1]!, now());
    } catch (err) {
      if (err instanceof ConfigError) throw err;
      throw unauthorized('The access token is invalid or expired');
    }
    const [row] = await c
      .get('db')
      .select({ user: users })
      .from(users)
      .innerJoin(sessions, and(eq(sessions.id, claims.sid), eq(sessions.userUuid, users.uuid), isNull(sessions.revokedAt)))
      .where(and(eq(users.uuid, claims.sub), eq(users.disabled, false)))
      .limit(1);
    if (!row) throw unauthorized('The session has ended');
    if (role && row.user.role !== role) throw forbidden();
    c.set('auth', { user: row.user, sessionId: claims.sid });
    await next();
  });
