import type { Context } from 'hono';
import type { z } from '@hono/zod-openapi';
import type { AppEnv } from '../../env';
import { BodyError, bodyKind, readObjectBody } from '../../lib/body';
import { passwordGrant, type Tokens, tokenOpener } from '../../services/auth/password-grant';
import { type SecondFactor, secondFactorLogin } from '../../services/auth/second-factor';
import { refreshGrant } from '../../services/auth/refresh-grant';
import { clientCredentialsGrant } from '../../services/auth/client-credentials';
import { revokeToken } from '../../services/auth/revoke-token';
import { BAD_CREDENTIALS, BAD_SECOND_FACTOR, EMAIL_UNVERIFIED, OAuthError } from './token.errors';
import {
  MFA_OTP_GRANT,
  MFA_RECOVERY_GRANT,
  MfaOtpGrantSchema,
  MfaRecoveryGrantSchema,
  ClientCredentialsGrantSchema,
  PasswordGrantSchema,
  RefreshGrantSchema,
  RevokeRequestSchema,
} from './token.schemas';

type Ctx = Context<AppEnv>;

async function readParams(c: Ctx): Promise<Record<string, unknown>> {
  const kind = bodyKind(c.req.raw);
  if (!kind) throw new OAuthError('invalid_request', 'Send the parameters as application/x-www-form-urlencoded (or application/json)');
  try {
    return await readObjectBody(c.req.raw, kind);
  } catch (err) {
    if (err instanceof BodyError) throw new OAuthError('invalid_request', err.message);
    throw err;
  }
}

function parse<T extends z.ZodType>(schema: T, params: Record<string, unknown>): z.infer<T> {
  const result = schema.safeParse(params);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const where = issue.path.length ? issue.path.join('.') : ((issue as { keys?: string[] }).keys?.join(', ') ?? 'body');
  throw new OAuthError('invalid_request', `Invalid parameter ${where}: ${issue.message}`);
}

function tokenResponse(c: Ctx, tokens: Tokens) {
  c.header('cache-control', 'no-store');
  c.header('pragma', 'no-cache');
  return c.json({ access_token: tokens.accessToken, token_type: 'bearer' as const, expires_in: tokens.expiresIn, refresh_token: tokens.refreshToken }, 200);
}

const retryAfter = (ms: number) => ({ 'retry-after': String(Math.max(1, Math.ceil(ms / 1000))) });

/** The Auth0-shaped challenge: the password was right, the second factor is next (no session yet). */
function mfaRequired(c: Ctx, mfaToken: string) {
  c.header('cache-control', 'no-store');
  c.header('pragma', 'no-cache');
  return c.json({ error: 'mfa_required' as const, error_description: 'A second factor is required: send the mfa_token with a code', mfa_token: mfaToken }, 403);
}

async function secondFactorGrant(c: Ctx, mfaToken: string, factor: SecondFactor) {
  const result = await secondFactorLogin(c.var.deps, { mfaToken, factor }, ['token'], () => tokenOpener(c.var.deps));
  if (result.kind === 'throttled') throw new OAuthError('invalid_grant', BAD_SECOND_FACTOR, 429, retryAfter(result.retryAfterMs));
  if (result.kind !== 'issued') throw new OAuthError('invalid_grant', BAD_SECOND_FACTOR);
  return tokenResponse(c, result.handOut);
}

/** `Authorization: Basic base64(client_id:key)` (RFC 6749 §2.3.1, each part form-urlencoded), or null. */
function basicCredentials(header: string | undefined): { clientId: string; key: string } | null {
  const match = /^Basic ([A-Za-z0-9+/=]{1,400})$/i.exec(header ?? '');
  if (!match) return null;
  let text: string;
  try {
    text = atob(match[1]!);
  } catch {
    return null;
  }
  const at = text.indexOf(':');
  if (at < 0) return null;
  try {
    return { clientId: decodeURIComponent(text.slice(0, at)), key: decodeURIComponent(text.slice(at + 1)) };
  } catch {
    return null;
  }
}

const invalidClient = () =>
  new OAuthError('invalid_client', 'Client authentication failed', 401, { 'www-authenticate': 'Basic realm="token", charset="UTF-8"' });

const GRANTS: Record<string, (c: Ctx, params: Record<string, unknown>) => Promise<Response>> = {
  async password(c, params) {
    const input = parse(PasswordGrantSchema, params);
    const result = await passwordGrant(c.var.deps, { login: input.username, password: input.password });
    if (result.kind === 'throttled') {
      throw new OAuthError('invalid_grant', BAD_CREDENTIALS, 429, retryAfter(result.retryAfterMs));
    }
    if (result.kind === 'refused') throw new OAuthError('invalid_grant', BAD_CREDENTIALS);
    if (result.kind === 'unverified') throw new OAuthError('invalid_grant', EMAIL_UNVERIFIED);
    if (result.kind === 'mfa_required') return mfaRequired(c, result.mfaToken);
    return tokenResponse(c, result.handOut);
  },
  [MFA_OTP_GRANT](c, params) {
    const input = parse(MfaOtpGrantSchema, params);
    return secondFactorGrant(c, input.mfa_token, { otp: input.otp });
  },
  [MFA_RECOVERY_GRANT](c, params) {
    const input = parse(MfaRecoveryGrantSchema, params);
    return secondFactorGrant(c, input.mfa_token, { recoveryCode: input.recovery_code });
  },
  async client_credentials(c, params) {
    parse(ClientCredentialsGrantSchema, params);
    const credentials = basicCredentials(c.req.header('authorization'));
    if (!credentials) throw invalidClient();
    const result = await clientCredentialsGrant(c.var.deps, credentials);
    if (result.kind === 'refused') throw invalidClient();
    c.header('cache-control', 'no-store');
    c.header('pragma', 'no-cache');
    return c.json({ access_token: result.accessToken, token_type: 'bearer' as const, expires_in: result.expiresIn }, 200);
  },
  async refresh_token(c, params) {
    const input = parse(RefreshGrantSchema, params);
    const result = await refreshGrant(c.var.deps, { refreshToken: input.refresh_token });
    if (result.kind === 'refused') throw new OAuthError('invalid_grant', 'The refresh token is invalid, expired or revoked');
    return tokenResponse(c, result.tokens);
  },
};

/** POST /token: dispatches on grant_type; every failure is an RFC 6749 error body (token.errors.ts). */
export async function tokenHandler(c: Ctx) {
  const params = await readParams(c);
  if (typeof params.grant_type !== 'string' || params.grant_type === '') throw new OAuthError('invalid_request', 'grant_type is required');
  const grant = Object.hasOwn(GRANTS, params.grant_type) ? GRANTS[params.grant_type] : undefined;
  if (!grant) throw new OAuthError('unsupported_grant_type', `Supported grant types: ${Object.keys(GRANTS).join(', ')}`);
  return grant(c, params);
}

/** POST /token/revoke (RFC 7009): always 200 for a well-formed request (§2.2). */
export async function revokeHandler(c: Ctx) {
  const input = parse(RevokeRequestSchema, await readParams(c));
  await revokeToken(c.var.deps, { token: input.token });
  c.header('cache-control', 'no-store');
  return c.body(null, 200);
}
