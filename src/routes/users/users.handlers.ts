import type { Context } from 'hono';
import type { AppEnv } from '../../env';
import type { AppRouteHandler } from '../../lib/openapi';
import { now } from '../../lib/clock';
import { clientInfo } from '../../lib/client';
import { decodeCursor } from '../../lib/pagination';
import { ApiError, forbidden, notFound } from '../../lib/problem';
import { verifyPassword } from '../../lib/password';
import { visibleUser } from '../../services/access';
import { authorize, callerMay } from '../../services/caller';
import { withinIpLimit, IP_LIMIT_PERIOD_SECONDS } from '../../services/ip-limits';
import { recordRevocations } from '../../services/revocation';
import { attemptStatements, blockedFor } from '../../services/throttle';
import { changePasswordOf, eraseUser, updateStatements, type UserPatch } from '../../services/user-changes';
import { assertPasswordAllowed, conflictFrom, createUser, findUserQuery, passwordHashQuery, passwordParams, toUserDto, usersPage, usersPageQuery } from '../../services/users';
import type * as routes from './users.routes';

export const signUpHandler: AppRouteHandler<typeof routes.signUp> = async (c) => {
  if (!(await withinIpLimit(c, 'signup', clientInfo(c.req.raw).ip))) {
    throw new ApiError(429, 'Too many sign-ups from this address; try again later', { headers: { 'retry-after': String(IP_LIMIT_PERIOD_SECONDS) } });
  }
  const { confirm_password: _confirm, ...input } = c.req.valid('json');
  const user = await createUser(c.get('db'), c.get('config'), input, now());
  c.header('location', `/user/${user.uuid}`);
  return c.json(toUserDto(user), 201);
};

export const listUsersHandler: AppRouteHandler<typeof routes.listUsers> = async (c) => {
  const q = c.req.valid('query');
  const [rows] = await authorize(c, usersPageQuery(c.get('db'), { limit: q.limit, after: decodeCursor(q.cursor), role: q.role }));
  const page = usersPage(rows, q.limit);
  return c.json({ items: page.items.map(toUserDto), next_cursor: page.next_cursor }, 200);
};

export const getMeHandler: AppRouteHandler<typeof routes.getMe> = async (c) => {
  await authorize(c);
  return c.json(toUserDto(c.var.auth.user), 200);
};

export const getUserHandler: AppRouteHandler<typeof routes.getUser> = async (c) => {
  const { uuid } = c.req.valid('param');
  const [found] = await authorize(c, findUserQuery(c.get('db'), uuid));
  return c.json(toUserDto(visibleUser(c.var.auth.user, uuid, found)), 200);
};

/**
 * One round trip: the caller check, the target's current row, the session revocation a role
 * change or disabling needs, and the update, all in one batch whose writes are guarded by the
 * caller's rights in SQL. The answer is decided once the caller is known.
 */
async function patch(c: Context<AppEnv>, uuid: string, body: UserPatch) {
  const db = c.get('db');
  const at = now();
  const needsAdmin = body.role !== undefined || body.disabled !== undefined;
  const rule = needsAdmin ? { adminOnly: true } : { target: uuid };
  const guard = (revokedInBatchAt?: number) => callerMay(c.var.claims, { ...rule, revokedInBatchAt });
  let results;
  try {
    results = await authorize(c, findUserQuery(db, uuid), ...updateStatements(db, { uuid, patch: body, guard, now: at }));
  } catch (err) {
    throw conflictFrom(err) ?? err;
  }
  const [found, revoked, [updated]] = results;
  const before = visibleUser(c.var.auth.user, uuid, found);
  if (needsAdmin && c.var.auth.user.role !== 'admin') throw forbidden('Only an admin may change role or disabled');
  if (!updated) throw notFound('user');
  const reason = body.disabled === true && !before.disabled ? 'disabled' : 'role_changed';
  await recordRevocations(c.env.REVOCATIONS, revoked, reason, c.get('config').ACCESS_TOKEN_TTL_SECONDS, at);
  return toUserDto(updated);
}

export const patchMeHandler: AppRouteHandler<typeof routes.patchMe> = async (c) =>
  c.json(await patch(c, c.var.claims.sub, c.req.valid('json')), 200);

export const patchUserHandler: AppRouteHandler<typeof routes.patchUser> = async (c) =>
  c.json(await patch(c, c.req.valid('param').uuid, c.req.valid('json')), 200);

// Erasure checks the caller before it touches R2 (two round trips): photos must go first,
// and only for a live session.
export const deleteMeHandler: AppRouteHandler<typeof routes.deleteMe> = async (c) => {
  await authorize(c);
  await eraseUser(c.env, c.get('db'), c.get('config'), c.var.auth.user.uuid, now());
  return c.body(null, 204);
};

export const deleteUserHandler: AppRouteHandler<typeof routes.deleteUser> = async (c) => {
  const { uuid } = c.req.valid('param');
  const [found] = await authorize(c, findUserQuery(c.get('db'), uuid));
  if (uuid !== c.var.auth.user.uuid) {
    // An admin can see the user exists, so it learns the rule; anyone else learns nothing.
    visibleUser(c.var.auth.user, uuid, found);
    throw forbidden('Users are erased only by themselves');
  }
  await eraseUser(c.env, c.get('db'), c.get('config'), uuid, now());
  return c.body(null, 204);
};

/**
 * Two round trips, like the password grant: the caller and the attempt count, then (after
 * PBKDF2) the write. A stolen access token must not become a way to guess the current
 * password, so attempts are throttled per account, counted up front and cleared on success.
 */
export const changePasswordHandler: AppRouteHandler<typeof routes.changePassword> = async (c) => {
  const config = c.get('config');
  const db = c.get('db');
  const body = c.req.valid('json');
  // The rules that do not depend on who the user is, before anything counts as an attempt.
  assertPasswordAllowed(body.new_password, config, {}, 'new_password');
  const key = `password:${c.var.claims.sub}`;
  const at = now();
  // The hash is read in the caller's batch (same transaction, so it exists once authorize passes),
  // for this route only: `authorize` loads callers without it.
  const [[stored], throttle] = await authorize(c, passwordHashQuery(db, c.var.claims.sub), ...attemptStatements(db, key, at));
  const { user, sessionId } = c.var.auth;
  assertPasswordAllowed(body.new_password, config, { username: user.username, email: user.email }, 'new_password');
  const blockedMs = blockedFor(throttle, at);
  if (blockedMs > 0) {
    throw new ApiError(429, 'Too many wrong passwords; try again later', { headers: { 'retry-after': String(Math.ceil(blockedMs / 1000)) } });
  }
  const verdict = await verifyPassword(body.current_password, stored!.passwordHash, passwordParams(config));
  if (!verdict.ok) {
    throw new ApiError(422, 'The current password is incorrect', { errors: [{ path: 'current_password', message: 'is incorrect' }] });
  }
  await changePasswordOf(db, c.env.REVOCATIONS, { config, user, newPassword: body.new_password, keepSessionId: sessionId, now: at, throttleKey: key });
  return c.body(null, 204);
};
