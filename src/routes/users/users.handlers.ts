import type { AppRouteHandler } from '../../lib/openapi';
import type { Context } from 'hono';
import type { AppEnv } from '../../env';
import { now } from '../../lib/clock';
import { clientInfo } from '../../lib/client';
import { decodeCursor } from '../../lib/pagination';
import { ApiError, forbidden } from '../../lib/problem';
import { verifyPassword } from '../../lib/password';
import { withinIpLimit, IP_LIMIT_PERIOD_SECONDS } from '../../services/ip-limits';
import { changePasswordOf, eraseUser, updateUser } from '../../services/user-changes';
import { assertPasswordAllowed, createUser, listUsers, passwordParams, toUserDto } from '../../services/users';
import { attemptStatements, blockedFor, throttleKey } from '../../services/throttle';
import { usernameKey } from '../../lib/text';
import { visibleUser } from '../../services/access';
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
  const result = await listUsers(c.get('db'), { limit: q.limit, after: decodeCursor(q.cursor), role: q.role });
  return c.json({ items: result.items.map(toUserDto), next_cursor: result.next_cursor }, 200);
};

export const getMeHandler: AppRouteHandler<typeof routes.getMe> = async (c) => c.json(toUserDto(c.var.auth.user), 200);

export const getUserHandler: AppRouteHandler<typeof routes.getUser> = async (c) => {
  const user = await visibleUser(c, c.req.valid('param').uuid);
  return c.json(toUserDto(user), 200);
};

async function patch(c: Context<AppEnv>, uuid: string, body: Parameters<typeof updateUser>[2]['patch']) {
  const caller = c.var.auth.user;
  const target = await visibleUser(c, uuid);
  if (caller.role !== 'admin' && (body.role !== undefined || body.disabled !== undefined)) {
    throw forbidden('Only an admin may change role or disabled');
  }
  const updated = await updateUser(c.get('db'), c.env.REVOCATIONS, { config: c.get('config'), target, patch: body, now: now() });
  return toUserDto(updated);
}

export const patchMeHandler: AppRouteHandler<typeof routes.patchMe> = async (c) =>
  c.json(await patch(c, c.var.auth.user.uuid, c.req.valid('json')), 200);

export const patchUserHandler: AppRouteHandler<typeof routes.patchUser> = async (c) =>
  c.json(await patch(c, c.req.valid('param').uuid, c.req.valid('json')), 200);

export const deleteMeHandler: AppRouteHandler<typeof routes.deleteMe> = async (c) => {
  await eraseUser(c.env, c.get('db'), c.get('config'), c.var.auth.user.uuid, now());
  return c.body(null, 204);
};

export const deleteUserHandler: AppRouteHandler<typeof routes.deleteUser> = async (c) => {
  const caller = c.var.auth.user;
  const { uuid } = c.req.valid('param');
  if (uuid !== caller.uuid) {
    // An admin can see the user exists, so it learns the rule; anyone else learns nothing.
    await visibleUser(c, uuid);
    throw forbidden('Users are erased only by themselves');
  }
  await eraseUser(c.env, c.get('db'), c.get('config'), uuid, now());
  return c.body(null, 204);
};

export const changePasswordHandler: AppRouteHandler<typeof routes.changePassword> = async (c) => {
  const { user, sessionId } = c.var.auth;
  const config = c.get('config');
  const db = c.get('db');
  const body = c.req.valid('json');
  // Policy first: a rejected new password says nothing about the current one and must not
  // count against the user.
  assertPasswordAllowed(body.new_password, config, { username: user.username, email: user.email }, 'new_password');
  // A stolen access token must not become a way to guess the current password: the same
  // per-name throttle as the password grant, counted up front and cleared on success.
  const key = throttleKey(usernameKey(user.username));
  const at = now();
  const [throttle] = await db.batch(attemptStatements(db, key, at));
  const blockedMs = blockedFor(throttle, at);
  if (blockedMs > 0) {
    throw new ApiError(429, 'Too many wrong passwords; try again later', { headers: { 'retry-after': String(Math.ceil(blockedMs / 1000)) } });
  }
  const verdict = await verifyPassword(body.current_password, user.passwordHash, passwordParams(config));
  if (!verdict.ok) {
    throw new ApiError(422, 'The current password is incorrect', { errors: [{ path: 'current_password', message: 'is incorrect' }] });
  }
  await changePasswordOf(db, c.env.REVOCATIONS, { config, user, newPassword: body.new_password, keepSessionId: sessionId, now: at, throttleKey: key });
  return c.body(null, 204);
};
