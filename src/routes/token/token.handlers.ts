import type { Context } from 'hono';
import type { z } from '@hono/zod-openapi';
import type { AppEnv } from '../../env';
import { BodyError, bodyKind, readObjectBody } from '../../lib/body';
import { clientInfo } from '../../lib/client';
import { now } from '../../lib/clock';
import { verifyAccessToken, signAccessToken } from '../../lib/jwt';
import { burnPasswordWork, verifyPassword, hashPassword } from '../../lib/password';
import { emailKey, usernameKey } from '../../lib/text';
import { insertLogin } from '../../services/logins';
import { IP_LIMIT_PERIOD_SECONDS, withinIpLimit } from '../../services/ip-limits';
import { newSession, revokeSessionOfRefreshToken, revokeSessions } from '../../services/sessions';
import { rotateRefreshToken } from '../../services/refresh-rotation';
import { attemptStatements, blockedFor, clearFailures, throttleKey } from '../../services/throttle';
import { tokenSettings } from '../../services/tokens';
import { findByLogin, passwordParams, recordLogin } from '../../services/users';
import { BAD_CREDENTIALS, OAuthError, oauthErrorResponse } from './token.errors';
import { PasswordGrantSchema, RefreshGrantSchema, RevokeRequestSchema } from './token.schemas';

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
  const where = issue.path.length ? issue.path.join('.') : (issue as { keys?: string[] }).keys?.join(', ') ?? 'body';
  throw new OAuthError('invalid_request', `Invalid parameter ${where}: ${issue.message}`);
}

function tokenResponse(c: Ctx, accessToken: string, expiresIn: number, refreshToken: string) {
  c.header('cache-control', 'no-store');
  c.header('pragma', 'no-cache');
  return c.json({ access_token: accessToken, token_type: 'bearer' as const, expires_in: expiresIn, refresh_token: refreshToken }, 200);
}

async function passwordGrant(c: Ctx, params: Record<string, unknown>) {
  const input = parse(PasswordGrantSchema, params);
  const config = c.get('config');
  const db = c.get('db');
  const client = clientInfo(c.req.raw);
  if (!(await withinIpLimit(c, 'login', client.ip))) {
    throw new OAuthError('invalid_grant', BAD_CREDENTIALS, 429, { 'retry-after': String(IP_LIMIT_PERIOD_SECONDS) });
  }

  const login = input.username.normalize('NFC').trim();
  const key = throttleKey(login.includes('@') ? emailKey(login) : usernameKey(login));
  const at = now();
  // One atomic batch reads the block and counts this attempt as a failure up front (cleared
  // on success), so concurrent guesses cannot slip past the count.
  const [found, throttle] = await db.batch([findByLogin(db, login), ...attemptStatements(db, key, at)]);
  const blockedMs = blockedFor(throttle, at);
  if (blockedMs > 0) {
    throw new OAuthError('invalid_grant', BAD_CREDENTIALS, 429, { 'retry-after': String(Math.ceil(blockedMs / 1000)) });
  }

  const user = found[0];
  const params_ = passwordParams(config);
  const verdict = user ? await verifyPassword(input.password, user.passwordHash, params_) : (await burnPasswordWork(input.password, params_), null);
  if (!user || !verdict?.ok || user.disabled) {
    throw new OAuthError('invalid_grant', BAD_CREDENTIALS);
  }

  const session = await newSession(db, config, user.uuid, client, at);
  // Signed before anything is written: without a usable key (ConfigError, 503) no session or
  // login record is left behind for a login that issued no token.
  const access = await signAccessToken(tokenSettings(config), { sub: user.uuid, sid: session.id, role: user.role }, at);
  const newHash = verdict.needsRehash ? await hashPassword(input.password, params_) : undefined;
  await db.batch([
    ...session.statements,
    insertLogin(db, user.uuid, client, at),
    recordLogin(db, { uuid: user.uuid, now: at, newHash: newHash ?? null }),
    clearFailures(db, key),
  ]);
  return tokenResponse(c, access.token, access.expiresIn, session.refreshToken);
}

async function refreshGrant(c: Ctx, params: Record<string, unknown>) {
  const input = parse(RefreshGrantSchema, params);
  const config = c.get('config');
  const at = now();
  const result = await rotateRefreshToken(c.get('db'), c.env.REVOCATIONS, config, input.refresh_token, clientInfo(c.req.raw), at);
  if (!result.ok) throw new OAuthError('invalid_grant', 'The refresh token is invalid, expired or revoked');
  const access = await signAccessToken(tokenSettings(config), { sub: result.user.uuid, sid: result.sessionId, role: result.user.role }, at);
  return tokenResponse(c, access.token, access.expiresIn, result.refreshToken);
}

/** POST /token: dispatches on grant_type; every failure is an RFC 6749 error body. */
export async function tokenHandler(c: Ctx) {
  try {
    const params = await readParams(c);
    if (typeof params.grant_type !== 'string' || params.grant_type === '') throw new OAuthError('invalid_request', 'grant_type is required');
    if (params.grant_type === 'password') return await passwordGrant(c, params);
    if (params.grant_type === 'refresh_token') return await refreshGrant(c, params);
    throw new OAuthError('unsupported_grant_type', 'Supported grant types: password, refresh_token');
  } catch (err) {
    if (err instanceof OAuthError) return oauthErrorResponse(c, err);
    throw err;
  }
}

/**
 * POST /token/revoke (RFC 7009): revokes the session of a refresh token, or of an access
 * token when one is given. Answers 200 whether or not the token was valid (§2.2), so it
 * cannot be used to probe tokens.
 */
export async function revokeHandler(c: Ctx) {
  try {
    const input = parse(RevokeRequestSchema, await readParams(c));
    const config = c.get('config');
    const db = c.get('db');
    const at = now();
    // The hint is optional and only a hint (§2.1): an access token is a JWS (three parts), a
    // refresh token is opaque base64url without dots.
    if (input.token.split('.').length === 3) {
      const claims = await verifyAccessToken(tokenSettings(config), input.token, at).catch(() => undefined);
      if (claims) await revokeSessions(db, c.env.REVOCATIONS, config, { userUuid: claims.sub, sessionId: claims.sid }, 'logout', at);
    } else {
      await revokeSessionOfRefreshToken(db, c.env.REVOCATIONS, config, input.token, at);
    }
    c.header('cache-control', 'no-store');
    return c.body(null, 200);
  } catch (err) {
    if (err instanceof OAuthError) return oauthErrorResponse(c, err);
    throw err;
  }
}
