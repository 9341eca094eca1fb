import type { Context } from 'hono';
import { fieldErrors } from '../../http/router';
import { ApiError } from '../../lib/problem';
import { UUID_PATTERN } from '../../lib/ids';
import { getPhoto } from '../../services/photos/photos';
import { checkUploader, submitPhotoFile } from '../../services/photos/upload-photo';
import { revokeMySession } from '../../services/sessions/sessions';
import { changePassword } from '../../services/users/change-password';
import { eraseUser } from '../../services/users/erase-user';
import { patchUser } from '../../services/users/patch-user';
import { UserPatchSchema } from '../users/users.schemas';
import { type AccountForm, accountWithProblem } from './account.page';
import { clearSessionCookie } from './cookies';
import { readPageForm, text } from './guards';
import type { PageEnv } from './page-env';

type Ctx = Context<PageEnv>;

const PROFILE_FIELDS = ['username', 'city', 'organization', 'designation', 'mobile'] as const;

/**
 * Runs one account action; a refusal the person can fix (a 4xx other than an ended session)
 * shows the account page again with the error on that action's form and the error's status.
 */
async function act(c: Ctx, form: AccountForm, values: Record<string, string>, action: () => Promise<Response>) {
  try {
    return await action();
  } catch (err) {
    if (!(err instanceof ApiError) || err.status === 401 || err.status >= 500) throw err;
    return accountWithProblem(c, err.status, { form, message: err.detail, errors: err.options.errors, values }, err.options.headers);
  }
}

/** POST /account/profile: what `PATCH /user/me` allows, through its schema and service; a blank field clears it. */
export async function saveProfile(c: Ctx) {
  const form = await readPageForm(c);
  const values = Object.fromEntries(PROFILE_FIELDS.map((name) => [name, text(form, name)]));
  const body = Object.fromEntries(PROFILE_FIELDS.map((name) => [name, name !== 'username' && values[name]!.trim() === '' ? null : values[name]]));
  const parsed = UserPatchSchema.safeParse(body);
  if (!parsed.success) {
    return accountWithProblem(c, 422, { form: 'profile', message: 'Some fields need another look.', errors: fieldErrors(parsed.error.issues), values });
  }
  return act(c, 'profile', values, async () => {
    await patchUser(c.var.deps, c.var.access, c.var.access.claims.sub, parsed.data);
    return c.redirect('/account?notice=profile_saved', 303);
  });
}

/** POST /account/password: `PUT /user/me/password`'s service; this session stays, every other one ends. */
export async function savePassword(c: Ctx) {
  const form = await readPageForm(c);
  return act(c, 'password', {}, async () => {
    await changePassword(c.var.deps, c.var.access, { currentPassword: text(form, 'current_password'), newPassword: text(form, 'new_password') });
    return c.redirect('/account?notice=password_changed', 303);
  });
}

/** POST /account/sessions/{id}/revoke: `DELETE /user/me/sessions/{id}`'s service (404 page for a session that is not yours). */
export async function revokeSession(c: Ctx) {
  await readPageForm(c);
  const id = c.req.param('id') ?? '';
  if (!UUID_PATTERN.test(id)) throw new ApiError('not_found', 'No such session');
  await revokeMySession(c.var.deps, c.var.access, id);
  return c.redirect('/account?notice=session_revoked', 303);
}

/** POST /account/photo: the upload of `POST /user/{uuid}/validate_photo`, for the caller. */
export async function uploadPhoto(c: Ctx) {
  const form = await readPageForm(c);
  const file = form.file;
  return act(c, 'photo', {}, async () => {
    if (!(file instanceof File) || file.size === 0) {
      throw new ApiError('validation_failed', 'Choose a photo to upload', { errors: [{ path: 'file', message: 'choose a JPEG, PNG or WebP file' }] });
    }
    const deps = c.var.deps;
    const uploader = await checkUploader(deps, c.var.access, c.var.access.claims.sub);
    const result = await submitPhotoFile(deps, c.var.access, uploader, file);
    return c.redirect(result.status === 'accepted' ? '/account?notice=photo_accepted' : '/account?notice=photo_pending', 303);
  });
}

/** GET /account/photo: the caller's photo on show, for the account page's <img>. */
export async function showPhoto(c: Ctx) {
  const { photo, object } = await getPhoto(c.var.deps, c.var.access, c.var.access.claims.sub);
  return c.body(object.body, 200, { 'content-type': photo.contentType, 'cache-control': 'private, no-store' });
}

/** POST /account/delete: erasure (`DELETE /user/me`'s service) after the password is checked again. */
export async function deleteAccount(c: Ctx) {
  const form = await readPageForm(c);
  return act(c, 'delete', {}, async () => {
    await eraseUser(c.var.deps, c.var.access, c.var.access.claims.sub, { currentPassword: text(form, 'current_password') });
    clearSessionCookie(c);
    return c.redirect('/login?notice=deleted', 303);
  });
}

/** POST /logout: this session revoked (for the API too: its access tokens, its KV record), the cookie cleared. */
export async function logOut(c: Ctx) {
  await readPageForm(c);
  await revokeMySession(c.var.deps, c.var.access, c.var.access.claims.sid).catch((err: unknown) => {
    // Already revoked from elsewhere: the result the person asked for.
    if (!(err instanceof ApiError && err.code === 'not_found')) throw err;
  });
  clearSessionCookie(c);
  return c.redirect('/login?notice=logged_out', 303);
}
