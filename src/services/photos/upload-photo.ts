import type { PhotoRow, User } from '../../db/schema';
import { sha256Hex } from '../../lib/encoding';
import { uuidv7 } from '../../lib/ids';
import { type ImageType, inspectImage } from '../../lib/image-type';
import { ApiError, notFound, tooMany } from '../../lib/problem';
import { IP_LIMIT_PERIOD_SECONDS, withinIpLimit, withinUserLimit } from '../ip-limits';
import { type Access, withCaller } from '../../policy/caller';
import { self } from '../../policy/rules';
import type { Deps } from '../../deps';
import { recognize, recognizerFor } from './recognizers';
import { nameKey, recognisedAs } from './recognizers/names';
import { claimName, holdsName, insertPhoto, promote, supersede } from './statements';
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
  // Each upload is an R2 write and, with a remote recognizer, a billed call: limited per user and
  // per address before the body is even parsed.
  if (!(await withinUserLimit(deps, 'photoUser', caller.uuid)) || !(await withinIpLimit(deps, 'photoIp'))) {
    throw tooMany('rate_limited', 'Too many photo uploads; try again later', IP_LIMIT_PERIOD_SECONDS * 1000);
  }
  return caller;
}

/**
 * An uploaded file as every front door receives it: refused when larger than PHOTO_MAX_BYTES
 * (the body limit already capped the request; this catches a file part that fits in the
 * multipart overhead but not in the photo limit) and judged by its whole structure, never its
 * name or declared type (src/lib/image-type.ts), before R2 or a recognizer sees it.
 */
export async function submitPhotoFile(deps: Deps, access: Access, user: User, file: File): Promise<Submission> {
  const max = deps.config.PHOTO_MAX_BYTES;
  if (file.size > max) throw new ApiError('body_too_large', `The photo is larger than ${max} bytes`);
  const image = new Uint8Array(await file.arrayBuffer());
  const inspected = inspectImage(image);
  if (!inspected.ok) throw new ApiError('unsupported_image', `The file is not a JPEG, PNG or WebP image we accept: ${inspected.reason}`);
  return submitPhoto(deps, access, user, image, inspected.type);
}

/**
 * Stores a photo and lets the configured recognizer decide. Order: the R2 object first, then
 * the recognizer, then one D1 batch under the caller's guard (photo row, superseded rows,
 * role), so a session revoked meanwhile writes nothing. Any failure after the put (not
 * recognised, recognizer error or timeout, a refused caller, D1 error) deletes the object.
 */
export async function submitPhoto(deps: Deps, access: Access, user: User, image: Uint8Array<ArrayBuffer>, type: ImageType): Promise<Submission> {
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
        writes: (may) => ({ photo: insertPhoto(db, row, false, now, may.to(rule)), gone: supersede(db, user.uuid, id, ['pending'], may.to(rule)) }),
      });
      if (!rows.photo[0]) throw notFound('user');
      result = { status: 'pending', photo: rows.photo[0] };
      superseded = rows.gone;
    } else {
      const recognition = await recognize(recognizer, image, type, config.RECOGNIZER_TIMEOUT_MS, deps.requestId);
      if (!recognisedAs(recognition, user, config.RECOGNIZER_MIN_CONFIDENCE)) {
        throw new ApiError('photo_not_recognised', 'The photo was not recognised as you; it was not kept');
      }
      // One account per recognised name: the first claims it; a namesake's photo (or someone
      // else's photo of a celebrity, under a copied name) waits for an admin instead.
      const key = nameKey(`${user.name} ${user.surname}`);
      const held = holdsName(key, user.uuid);
      const { rows } = await withCaller(deps, access, {
        writes: (may) => ({
          claim: claimName(db, key, user.uuid, now, may.to(rule)),
          photo: insertPhoto(db, row, held, now, may.to(rule)),
          gonePending: supersede(db, user.uuid, id, ['pending'], may.to(rule)),
          goneAccepted: supersede(db, user.uuid, id, ['accepted'], may.to(rule), held),
          promoted: promote(db, user.uuid, now, may.to(rule), held),
        }),
      });
      const photo = rows.photo[0];
      if (!photo) throw notFound('user');
      result = photo.status === 'accepted' ? { status: 'accepted', photo, user: rows.promoted[0] ?? user } : { status: 'pending', photo };
      superseded = [...rows.gonePending, ...rows.goneAccepted];
    }
  } catch (err) {
    await dropObjects(deps, [key]);
    throw err;
  }
  await dropObjects(
    deps,
    superseded.map((s) => s.key),
  );
  return result;
}
