import type { SessionRow } from '../../db/schema';
import { notFound } from '../../lib/problem';
import { type Access, withCaller } from '../../policy/caller';
import { allows, selfOrAdmin } from '../../policy/rules';
import type { Deps } from '../../deps';
import { recordRevocations } from '../revocation';
import { findUser } from '../users/statements';
import { endGrantsInFlight, liveSessionsOf, revokeSessions, sessionsPage } from './statements';

/** The caller's live sessions, newest first. */
export async function listMySessions(deps: Deps, access: Access, q: { limit: number; after?: string }) {
  const { rows, sessionId } = await withCaller(deps, access, { reads: { page: liveSessionsOf(deps.db, access.claims.sub, q, deps.now()) } });
  return { ...sessionsPage(rows.page as SessionRow[], q.limit), currentSessionId: sessionId };
}

/** Revokes one of the caller's own sessions; one that is not theirs or not live is a 404. */
export async function revokeMySession(deps: Deps, access: Access, sessionId: string): Promise<void> {
  const now = deps.now();
  const { rows } = await withCaller(deps, access, {
    writes: (may) => ({ revoked: revokeSessions(deps.db, { userUuid: access.claims.sub, sessionId }, may.route, now) }),
  });
  if (rows.revoked.length === 0) throw notFound('session');
  await recordRevocations(deps.kv, rows.revoked, 'session_revoked', deps.config.ACCESS_TOKEN_TTL_SECONDS, now);
}

/**
 * Log out everywhere (self) or a forced logout (admin): every session revoked and the security
 * stamp moved on, so a password grant in flight creates none afterwards. Anyone else gets the
 * 404 of a missing user, and changes nothing.
 */
export async function revokeUserSessions(deps: Deps, access: Access, uuid: string): Promise<void> {
  const now = deps.now();
  const rule = selfOrAdmin(uuid);
  const { caller, rows } = await withCaller(deps, access, {
    reads: { found: findUser(deps.db, uuid) },
    writes: (may) => ({
      revoked: revokeSessions(deps.db, { userUuid: uuid }, may.to(rule), now),
      ended: endGrantsInFlight(deps.db, uuid, may.to(rule, { revokedInBatchAt: now })),
    }),
  });
  if (!allows(rule, caller) || rows.found.length === 0) throw notFound('user');
  await recordRevocations(deps.kv, rows.revoked, 'logout_everywhere', deps.config.ACCESS_TOKEN_TTL_SECONDS, now);
}
