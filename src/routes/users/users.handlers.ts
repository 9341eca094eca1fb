import type { AppRouteHandler } from '../../http/openapi';
import { decodeCursor } from '../../lib/pagination';
import { TURNSTILE_FIELD } from '../../lib/turnstile';
import { toUserDto } from '../../schemas/user';
import { changePassword } from '../../services/users/change-password';
import { eraseUser } from '../../services/users/erase-user';
import { patchUser } from '../../services/users/patch-user';
import { getMe, getUser, listUsers } from '../../services/users/read-users';
import { signUp } from '../../services/users/sign-up';
import type * as routes from './users.routes';

export const signUpHandler: AppRouteHandler<typeof routes.signUp> = async (c) => {
  const { confirm_password: _confirm, [TURNSTILE_FIELD]: captcha, ...input } = c.req.valid('json');
  const user = await signUp(c.var.deps, input, captcha);
  c.header('location', `/user/${user.uuid}`);
  return c.json(toUserDto(user), 201);
};

export const listUsersHandler: AppRouteHandler<typeof routes.listUsers> = async (c) => {
  const q = c.req.valid('query');
  const page = await listUsers(c.var.deps, c.var.access, { limit: q.limit, after: decodeCursor(q.cursor), role: q.role });
  return c.json({ items: page.items.map(toUserDto), next_cursor: page.next_cursor }, 200);
};

export const getMeHandler: AppRouteHandler<typeof routes.getMe> = async (c) => c.json(toUserDto(await getMe(c.var.deps, c.var.access)), 200);

export const getUserHandler: AppRouteHandler<typeof routes.getUser> = async (c) =>
  c.json(toUserDto(await getUser(c.var.deps, c.var.access, c.req.valid('param').uuid)), 200);

export const patchMeHandler: AppRouteHandler<typeof routes.patchMe> = async (c) =>
  c.json(toUserDto(await patchUser(c.var.deps, c.var.access, c.var.access.claims.sub, c.req.valid('json'))), 200);

export const patchUserHandler: AppRouteHandler<typeof routes.patchUser> = async (c) =>
  c.json(toUserDto(await patchUser(c.var.deps, c.var.access, c.req.valid('param').uuid, c.req.valid('json'))), 200);

export const deleteMeHandler: AppRouteHandler<typeof routes.deleteMe> = async (c) => {
  await eraseUser(c.var.deps, c.var.access, c.var.access.claims.sub);
  return c.body(null, 204);
};

export const deleteUserHandler: AppRouteHandler<typeof routes.deleteUser> = async (c) => {
  await eraseUser(c.var.deps, c.var.access, c.req.valid('param').uuid);
  return c.body(null, 204);
};

export const changePasswordHandler: AppRouteHandler<typeof routes.changePassword> = async (c) => {
  const body = c.req.valid('json');
  await changePassword(c.var.deps, c.var.access, { currentPassword: body.current_password, newPassword: body.new_password });
  return c.body(null, 204);
};
