import type { AuditEventRow, LoginRow, PhotoRow, SessionRow, User } from '../../db/schema';
import type { Deps } from '../../deps';
import { type Access, withCaller } from '../../policy/caller';
import { eventsPage } from '../audit/read-events';
import { loginsPageQuery } from '../logins/statements';
import { latestShownPhoto } from '../photos/statements';
import { liveSessionsOf } from '../sessions/statements';

/** How many login records and security events the account page shows. */
export const ACCOUNT_RECENT = 10;

export interface AccountOverview {
  user: User;
  currentSessionId: string;
  logins: LoginRow[];
  sessions: SessionRow[];
  photo: PhotoRow | undefined;
  events: AuditEventRow[];
}

/**
 * Everything the account page shows, with the caller, in one D1 batch: the user, their recent
 * login records, every live session (at most MAX_SESSIONS_PER_USER exist), the photo on show and
 * their recent security events.
 */
export async function accountOverview(deps: Deps, access: Access): Promise<AccountOverview> {
  const { db, config } = deps;
  const me = access.claims.sub;
  const now = deps.now();
  const { caller, sessionId, rows } = await withCaller(
    deps,
    access,
    {
      reads: {
        logins: loginsPageQuery(db, { userUuid: me, limit: ACCOUNT_RECENT - 1 }),
        sessions: liveSessionsOf(db, me, { limit: config.MAX_SESSIONS_PER_USER }, now),
        photo: latestShownPhoto(db, me),
        events: eventsPage(db, { subject: me, limit: ACCOUNT_RECENT - 1 }),
      },
    },
    now,
  );
  return {
    user: caller,
    currentSessionId: sessionId,
    logins: rows.logins,
    sessions: rows.sessions as SessionRow[],
    photo: rows.photo[0],
    events: rows.events,
  };
}
