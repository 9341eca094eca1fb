import type { SessionRow } from '../../db/schema';
import { notFound } from '../../lib/problem';
import { type Access, withCaller } from '../../policy/caller';
import { allows, anyone, selfOrAdmin } from '../../policy/rules';
import { auditGuarded } from '../audit/events';
import { exportEvents } from '../audit/export';
import type { Deps } from '../../deps';
import { recordRevocations } from '../revocation';
import { findUser } from '../users/statements';
import { endGrantsInFlight, liveSessionsOf, revokedCount, revokedHere, revokeSessions, sessionsPage } from './statements';

/** The caller's live sessions, newest first. */
export async function listMySessions(deps: Deps, access: Access, q: { limit: number; after?: string }) {
  const { rows, sessionId } = await withCaller(deps, access, { reads: { page: liveSessionsOf(deps.db, access.claims.sub, q, deps.now()) } });
  return { ...sessionsPage(rows.page as SessionRow[], q.limit), currentSessionId: sessionId };
}

/** Revokes one of the caller's own sessions; one that is not theirs or not live is a 404. */
export async function revokeMySession(deps: Deps, access: Access, sessionId: string): Promise<void> {
  const now = deps.now();
  const me = access.claims.sub;
  const { rows } = await withCaller(deps, access, {
    writes: (may) => ({
      revoked: revokeSessions(deps.db, { userUuid: me, sessionId }, may.route, now),
      event: auditGuarded(deps, now, may.to(anyone, { revokedInBatchAt: now }), {
        event: 'session.revoked',
        actor: me,
        subject: me,
        detail: { reason: 'session_revoked', session: sessionId },
        when: revokedHere(me, now, sessionId),
      }),
    }),
  });
  if (rows.revoked.length === 0) throw notFound('session');
  await recordRevocations(deps.kv, rows.revoked, 'session_revoked', deps.config.ACCESS_TOKEN_TTL_SECONDS, now);
  exportEvents(deps, rows.event);
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
      event: auditGuarded(deps, now, may.to(rule, { revokedInBatchAt: now }), {
        event: 'session.revoked',
        actor: access.claims.sub,
        subject: uuid,
        detail: { reason: 'logout_everywhere', sessions: revokedCount(uuid, now) },
        when: revokedHere(uuid, now),
      }),
    }),
  });
  if (!allows(rule, caller) || rows.found.length === 0) throw notFound('user');
  await recordRevocations(deps.kv, rows.revoked, 'logout_everywhere', deps.config.ACCESS_TOKEN_TTL_SECONDS, now);
  exportEvents(deps, rows.event);
}
