import type { User } from '../db/schema';
import { notFound } from '../lib/problem';

/** Self or admin. */
export const maySee = (caller: User, uuid: string) => uuid === caller.uuid || caller.role === 'admin';

/**
 * The user `uuid` as the caller may see it: themselves, or anyone for an admin (`found` is the
 * row the route batched with its caller check). Anything else is the same 404 as a user that
 * does not exist, so existence never leaks.
 */
export function visibleUser(caller: User, uuid: string, found: User[]): User {
  if (uuid === caller.uuid) return caller;
  const user = found[0];
  if (caller.role !== 'admin' || !user) throw notFound('user');
  return user;
}
