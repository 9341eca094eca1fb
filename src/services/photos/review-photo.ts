import { sql } from 'drizzle-orm';
import type { PhotoRow } from '../../db/schema';
import { photos } from '../../db/schema';
import { runBatch } from '../../db/statement';
import { ApiError } from '../../lib/problem';
import { type Access, withCaller } from '../../policy/caller';
import type { Guard } from '../../policy/guard';
import { auditGuarded } from '../audit/events';
import { exportEvents } from '../audit/export';
import type { Deps } from '../../deps';
import { decide, photoStatus, promote, supersede } from './statements';
import { deletePhotoObjects, dropObjects } from './storage';

/** The photo's owner, as SQL inside the batch. */
const ownerOf = (id: string) => sql`(select p.user_uuid from ${photos} p where p.id = ${id})`;

/** SQL true only if this very batch decided the photo so (its reviewed_at is ours). */
const decidedHere = (id: string, decision: 'accepted' | 'rejected', now: number) =>
  sql`exists (select 1 from ${photos} p where p.id = ${id} and p.status = ${decision} and p.reviewed_at = ${now})`;

/** The review's event, written only if this very batch decided the photo. */
const reviewEvent = (deps: Deps, access: Access, id: string, decision: 'accepted' | 'rejected', now: number, guard: Guard) =>
  auditGuarded(deps, now, guard, {
    event: 'photo.reviewed',
    actor: access.claims.sub,
    subject: ownerOf(id),
    detail: { photo: id, decision },
    when: decidedHere(id, decision, now),
  });

/** After a compare-and-swap found nothing to decide: 404 when missing, 409 once decided. */
async function notPending(deps: Deps, id: string): Promise<never> {
  const { found } = await runBatch(deps.db, { found: photoStatus(deps.db, id) });
  if (!found[0]) throw new ApiError('not_found', 'No such photo');
  throw new ApiError('photo_decided', `The photo was already ${found[0].status}`);
}

/**
 * Accepts a pending photo in one batch (the route's rule: admin): a compare-and-swap on its
 * status, then, only if this very batch accepted it (its reviewed_at is ours), the user's older
 * accepted photo goes and normal → celebrity. A repeated or late approval therefore changes
 * nothing, not even a role an admin has changed since. Superseded objects leave R2 after.
 */
export async function approvePhoto(deps: Deps, access: Access, id: string): Promise<PhotoRow> {
  const { db } = deps;
  const now = deps.now();
  const owner = ownerOf(id);
  const acceptedHere = decidedHere(id, 'accepted', now);
  const { rows } = await withCaller(deps, access, {
    writes: (may) => ({
      accepted: decide(db, id, 'accepted', now, may.route),
      gone: supersede(db, owner, id, ['accepted'], may.route, acceptedHere),
      promoted: promote(db, owner, now, may.route, acceptedHere),
      event: reviewEvent(deps, access, id, 'accepted', now, may.route),
    }),
  });
  const accepted = rows.accepted[0];
  if (!accepted) return notPending(deps, id);
  await dropObjects(
    deps,
    rows.gone.map((g) => g.key),
  );
  exportEvents(deps, rows.event);
  return accepted;
}

/** Rejects a pending photo: the row stays as a record (status rejected), the bytes are deleted after. */
export async function rejectPhoto(deps: Deps, access: Access, id: string): Promise<PhotoRow> {
  const now = deps.now();
  const { rows } = await withCaller(deps, access, {
    writes: (may) => ({ rejected: decide(deps.db, id, 'rejected', now, may.route), event: reviewEvent(deps, access, id, 'rejected', now, may.route) }),
  });
  const rejected = rows.rejected[0];
  if (!rejected) return notPending(deps, id);
  await deletePhotoObjects(deps.photos, [rejected.r2Key]);
  exportEvents(deps, rows.event);
  return rejected;
}
