import type { Context } from 'hono';
import type { AppEnv } from '../env';
import type { UserRow } from '../db/schema';
import { notFound } from '../lib/problem';
import { findUser } from './users';

/**
 * The user `uuid` as the caller may see it: themselves, or anyone for an admin. Anything else
 * is the same 404 as a user that does not exist, so existence never leaks.
 */
export async function visibleUser(c: Context<AppEnv>, uuid: string): Promise<UserRow> {
  const caller = c.var.auth.user;
  if (uuid === caller.uuid) return caller;
  if (caller.role !== 'admin') throw notFound('user');
  const user = await findUser(c.get('db'), uuid);
  if (!user) throw notFound('user');
  return user;
}
