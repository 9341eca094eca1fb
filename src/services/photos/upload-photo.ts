import type { PhotoRow, User } from '../../db/schema';
import { sha256Hex } from '../../lib/encoding';
import { uuidv7 } from '../../lib/ids';
import type { ImageType } from '../../lib/image-type';
import { ApiError, notFound } from '../../lib/problem';
import { type Access, withCaller } from '../../policy/caller';
import { self } from '../../policy/rules';
import type { Deps } from '../deps';
import { recognize, recognizerFor } from './recognizers';
import { recognisedAs } from './recognizers/names';
import { insertPhoto, promote, SHOWN, supersede } from './statements';
import { dropObjects, putPhotoObject } from './storage';

export type Submission = { status: 'pending'; photo: PhotoRow } | { status: 'accepted'; photo: PhotoRow; user: User };

/**
 * Whether the caller may upload to `uuid`: themselves only, admins included; anyone else's
 * `{uuid}` is the same 404 as a user that does not exist. Checked before the body is parsed,
 * because an upload writes to R2 and may call a paid recognizer.
 */
export async function checkUploader(deps: Deps, access: Access, uuid: string): Promise<User> {
  const { caller } = await withCaller(deps, access, {});
  if (caller.uuid !== uuid) throw notFound('user');
  return caller;
}

/**
 * Stores a photo and lets the configured recognizer decide. Order: the R2 object first, then
 * the recognizer, then one D1 batch under the caller's guard (photo row, superseded rows,
 * role), so a session revoked meanwhile writes nothing. Any failure after the put (not
 * recognised, recognizer error or timeout, a refused caller, D1 error) deletes the object.
 */
export async function submitPhoto(deps: Deps, access: Access, user: User, image: Uint8Array, type: ImageType): Promise<Submission> {
  const { db, config } = deps;
  const recognizer = recognizerFor(config);
  const now = deps.now();
  const id = uuidv7(now);
  const sha256 = await sha256Hex(image);
  const key = await putPhotoObject(deps.photos, { userUuid: user.uuid, photoId: id, contentType: type, sha256 }, image);
  const row = { id, userUuid: user.uuid, r2Key: key, contentType: type, size: image.byteLength, sha256, createdAt: now };
  const rule = self(user.uuid);
  let result: Submission;
  let superseded: { key: string }[];
  try {
    if (recognizer.kind === 'manual') {
      const { rows } = await withCaller(deps, access, {
        writes: (may) => ({ photo: insertPhoto(db, row, 'pending', now, may.to(rule)), gone: supersede(db, user.uuid, id, ['pending'], may.to(rule)) }),
      });
      if (!rows.photo[0]) throw notFound('user');
      result = { status: 'pending', photo: rows.photo[0] };
      superseded = rows.gone;
    } else {
      const recognition = await recognize(recognizer, image, type, config.RECOGNIZER_TIMEOUT_MS, deps.requestId);
      if (!recognisedAs(recognition, user, config.RECOGNIZER_MIN_CONFIDENCE)) {
        throw new ApiError('photo_not_recognised', 'The photo was not recognised as you; it was not kept');
      }
      const { rows } = await withCaller(deps, access, {
        writes: (may) => ({
          photo: insertPhoto(db, row, 'accepted', now, may.to(rule)),
          gone: supersede(db, user.uuid, id, SHOWN, may.to(rule)),
          promoted: promote(db, user.uuid, now, may.to(rule)),
        }),
      });
      if (!rows.photo[0]) throw notFound('user');
      result = { status: 'accepted', photo: rows.photo[0], user: rows.promoted[0] ?? user };
      superseded = rows.gone;
    }
  } catch (err) {
    await dropObjects(deps, [key]);
    throw err;
  }
  await dropObjects(deps, superseded.map((s) => s.key));
  return result;
}
