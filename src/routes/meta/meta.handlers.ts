import { MFA_OTP_GRANT, MFA_RECOVERY_GRANT } from '../token/token.schemas';
import type { AppRouteHandler } from '../../http/openapi';
import { publicJwks } from '../../lib/jwt';
import { tokenSettings } from '../../services/auth/access-token';
import { checkHealth } from '../../services/health';
import { getMe } from '../../services/users/read-users';
import type * as routes from './meta.routes';

export const SERVICE_VERSION = '0.1.0';

const ROLES = [
  { name: 'normal' as const, description: 'Signed-up user: sees and changes only their own account, logins and sessions.' },
  { name: 'celebrity' as const, description: 'A user whose photo was recognised as themselves; otherwise as normal.' },
  { name: 'admin' as const, description: 'Sees every user and login, changes roles and disabled, reviews photos; erases only themselves.' },
];

export const rootHandler: AppRouteHandler<typeof routes.root> = (c) =>
  c.json({ name: 'UserAuth on the edge', version: SERVICE_VERSION, docs: '/docs', redocs: '/redocs', openapi: '/openapi.json' }, 200);

export const healthHandler: AppRouteHandler<typeof routes.health> = async (c) => {
  const health = await checkHealth(c.var.deps, c.req.valid('query').deep === '1');
  return health.status === 'ok' ? c.json(health, 200) : c.json(health, 503);
};

export const jwksHandler: AppRouteHandler<typeof routes.jwks> = async (c) => {
  c.header('cache-control', 'public, max-age=300');
  return c.json((await publicJwks(tokenSettings(c.var.deps.config))) as never, 200);
};

/**
 * RFC 8414 §2-3. Every URL is built from JWT_ISSUER (the worker's public URL), never from the
 * request's Host, and `issuer` equals the `iss` of our access tokens, as clients check (§3.3).
 * The token endpoint takes public first-party clients without authentication ('none').
 */
export const authorizationServerHandler: AppRouteHandler<typeof routes.authorizationServer> = (c) => {
  const issuer = c.var.deps.config.JWT_ISSUER.replace(/\/+$/, '');
  c.header('cache-control', 'public, max-age=300');
  return c.json(
    {
      issuer: c.var.deps.config.JWT_ISSUER,
      token_endpoint: `${issuer}/token`,
      revocation_endpoint: `${issuer}/token/revoke`,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      grant_types_supported: ['password', 'refresh_token', MFA_OTP_GRANT, MFA_RECOVERY_GRANT, 'client_credentials'],
      response_types_supported: [],
      // `none` for the first-party public client; `client_secret_basic` for the client_credentials grant.
      token_endpoint_auth_methods_supported: ['none', 'client_secret_basic'],
      revocation_endpoint_auth_methods_supported: ['none'],
      scopes_supported: [],
      service_documentation: `${issuer}/docs`,
    },
    200,
  );
};

export const rolesHandler: AppRouteHandler<typeof routes.roles> = async (c) => {
  await getMe(c.var.deps, c.var.access);
  return c.json(ROLES, 200);
};
