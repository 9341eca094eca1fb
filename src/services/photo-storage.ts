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
