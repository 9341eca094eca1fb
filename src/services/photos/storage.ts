/** R2 layout: `photos/<user uuid>/<photo id>`; one prefix per user makes erasure a listing. */
export const photoPrefix = (userUuid: string) => `photos/${userUuid}/`;
export const photoKey = (userUuid: string, photoId: string) => `${photoPrefix(userUuid)}${photoId}`;

/** Deletes every R2 object of a user, page by page (R2 deletes up to 1000 keys a call). */
export async function erasePhotoObjects(bucket: R2Bucket, userUuid: string): Promise<void> {
  let cursor: string | undefined;
  do {
    const listing = await bucket.list({ prefix: photoPrefix(userUuid), cursor, limit: 1000 });
    if (listing.objects.length > 0) await bucket.delete(listing.objects.map((o) => o.key));
    cursor = listing.truncated ? listing.cursor : undefined;
  } while (cursor);
}

/** What R2 keeps beside the bytes, so an object explains itself without D1. */
export interface StoredPhoto {
  userUuid: string;
  photoId: string;
  contentType: string;
  sha256: string;
}

/**
 * Writes one photo. R2 verifies the SHA-256 on arrival (a corrupted upload fails here), and
 * the object carries its content type and customMetadata {sha256, userUuid, photoId}.
 */
export async function putPhotoObject(bucket: R2Bucket, photo: StoredPhoto, bytes: Uint8Array): Promise<string> {
  const key = photoKey(photo.userUuid, photo.photoId);
  await bucket.put(key, bytes, {
    sha256: photo.sha256,
    httpMetadata: { contentType: photo.contentType },
    customMetadata: { sha256: photo.sha256, userUuid: photo.userUuid, photoId: photo.photoId },
  });
  return key;
}

/** Deletes the given keys (R2 takes up to 1000 a call); nothing to do for none. */
export async function deletePhotoObjects(bucket: R2Bucket, keys: string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += 1000) await bucket.delete(keys.slice(i, i + 1000));
}

/** Objects whose rows are already gone: best effort, logged (erasure lists the prefix anyway). */
export async function dropObjects(deps: { photos: R2Bucket; requestId: string }, keys: string[]): Promise<void> {
  try {
    await deletePhotoObjects(deps.photos, keys);
  } catch (err) {
    console.error(JSON.stringify({ level: 'error', requestId: deps.requestId, error: 'r2_delete', keys, message: (err as Error)?.message }));
  }
}
