import { and, eq, isNotNull, isNull, lt, type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../db/client';
import { compiled } from '../../db/compiled';
import { mfaChallenges, recoveryCodes, totpFactors, users } from '../../db/schema';
import { read, write } from '../../db/statement';
import { type Guard, guarded } from '../../policy/guard';
import { stampHolds } from '../users/statements';

/** Five minutes (SPEC "Second factor"). */
export const MFA_TOKEN_TTL_MS = 5 * 60 * 1000;
/** Codes one mfa_token may try; the fifth wrong one kills it. */
export const MFA_TOKEN_ATTEMPTS = 5;

/** The user's factor, pending or active. */
export const factorOf = (db: Db, userUuid: string) =>
  read(
    db
      .select({ secret: totpFactors.secret, activatedAt: totpFactors.activatedAt, lastStep: totpFactors.lastStep })
      .from(totpFactors)
      .where(eq(totpFactors.userUuid, userUuid)),
  );

/** A pending enrolment replaces a pending one, never an active factor (SQL decides, under the caller's guard). */
export const savePending = (db: Db, userUuid: string, sealed: string, now: number, guard: Guard) =>
  guarded(guard, (may) =>
    db
      .insert(totpFactors)
      .select(sql`select ${userUuid}, ${sealed}, ${now}, null, 0, null where ${may}`)
      .onConflictDoUpdate({
        target: totpFactors.userUuid,
        set: { secret: sealed, createdAt: now, lastStep: 0, lastSession: null },
        setWhere: and(isNull(totpFactors.activatedAt), may),
      })
      .returning({ userUuid: totpFactors.userUuid }),
  );

/**
 * The compare-and-swap of an accepted code: the factor's last step moves to `step` only if it is
 * below it (no code is accepted twice), and records `winner` (the session or change it was for),
 * which the rest of the batch checks to know that this request, not a concurrent one, won.
 * `activate` is the activation's form: the pending factor becomes active at that time.
 */
const stepQuery = (db: Db, userUuid: string, step: number, winner: string, activate?: number, may?: SQL) =>
  db
    .update(totpFactors)
    .set({ lastStep: step, lastSession: winner, ...(activate === undefined ? {} : { activatedAt: activate }) })
    .where(
      and(
        eq(totpFactors.userUuid, userUuid),
        activate === undefined ? isNotNull(totpFactors.activatedAt) : isNull(totpFactors.activatedAt),
        lt(totpFactors.lastStep, step),
        may,
      ),
    )
    .returning({ userUuid: totpFactors.userUuid });

/** A login's code (no caller yet: the challenge stands for one). */
export const useStep = (db: Db, userUuid: string, step: number, winner: string) => write(stepQuery(db, userUuid, step, winner));
/** A signed-in caller's code (activation, regenerating codes, disabling), under their guard. */
export const useStepGuarded = (db: Db, userUuid: string, step: number, winner: string, guard: Guard, activate?: number) =>
  guarded(guard, (may) => stepQuery(db, userUuid, step, winner, activate, may));

/** SQL true when this batch's code (TOTP step or recovery code) was won by `winner`. */
export const codeWonBy = (userUuid: unknown, winner: unknown) =>
  sql`(exists (select 1 from ${totpFactors} where ${totpFactors.userUuid} = ${userUuid} and ${totpFactors.lastSession} = ${winner}) or exists (select 1 from ${recoveryCodes} where ${recoveryCodes.userUuid} = ${userUuid} and ${recoveryCodes.usedFor} = ${winner}))`;

/** A recovery code's single use: of two concurrent uses exactly one sets `used_for`. */
const recoveryQuery = (db: Db, userUuid: string, hash: string, now: number, winner: string, may?: SQL) =>
  db
    .update(recoveryCodes)
    .set({ usedAt: now, usedFor: winner })
    .where(and(eq(recoveryCodes.hash, hash), eq(recoveryCodes.userUuid, userUuid), isNull(recoveryCodes.usedAt), may))
    .returning({ hash: recoveryCodes.hash });

export const useRecoveryCode = (db: Db, userUuid: string, hash: string, now: number, winner: string) => write(recoveryQuery(db, userUuid, hash, now, winner));
export const useRecoveryCodeGuarded = (db: Db, userUuid: string, hash: string, now: number, winner: string, guard: Guard) =>
  guarded(guard, (may) => recoveryQuery(db, userUuid, hash, now, winner, may));

/**
 * The user's recovery codes replaced by `hashes` (old ones die), only `when` the batch's own check
 * held: one insert of every row (`values` as a table), so ten codes are one statement.
 */
export const replaceRecoveryCodes = (db: Db, userUuid: string, hashes: string[], now: number, guard: Guard, when: SQL) => ({
  dropped: guarded(guard, (may) => db.delete(recoveryCodes).where(and(eq(recoveryCodes.userUuid, userUuid), when, may))),
  added: guarded(guard, (may) =>
    db.insert(recoveryCodes).select(
      sql`select column1, ${userUuid}, ${now}, null, null from (values ${sql.join(
        hashes.map((h) => sql`(${h})`),
        sql`, `,
      )}) where ${when} and ${may}`,
    ),
  ),
});

/** `users.mfa_enabled`, set in the batch that changes the factor. */
export const setMfaEnabled = (db: Db, userUuid: string, enabled: boolean, guard: Guard, when: SQL) =>
  guarded(guard, (may) =>
    db
      .update(users)
      .set({ mfaEnabled: enabled, updatedAt: sql`${users.updatedAt}` })
      .where(and(eq(users.uuid, userUuid), when, may)),
  );

/** The factor and its codes gone (disable, admin reset). */
export const dropFactor = (db: Db, userUuid: string, guard: Guard, when: SQL) => ({
  factor: guarded(guard, (may) =>
    db
      .delete(totpFactors)
      .where(and(eq(totpFactors.userUuid, userUuid), when, may))
      .returning({ userUuid: totpFactors.userUuid }),
  ),
  codes: guarded(guard, (may) => db.delete(recoveryCodes).where(and(eq(recoveryCodes.userUuid, userUuid), when, may))),
});

// The login's second step, compiled once per isolate: it runs on every MFA login.

/** A challenge for a password that was right, only while the user's stamp is the one read. Columns in table order. */
export const insertChallenge = compiled('write', ['hash', 'userUuid', 'stamp', 'throttleKey', 'door', 'now', 'expiresAt', 'clientId'], (db, p) =>
  db
    .insert(mfaChallenges)
    .select(
      sql`select ${p.hash}, ${p.userUuid}, ${p.stamp}, ${p.throttleKey}, ${p.door}, ${p.now}, ${p.expiresAt}, 0, null, null, ${p.clientId} where ${stampHolds(p.userUuid, p.stamp)}`,
    )
    .returning({ hash: mfaChallenges.hash }),
);

/**
 * One attempt at a challenge, counted before the code is checked: only a live challenge (unused,
 * unexpired, fewer than MFA_TOKEN_ATTEMPTS tries) returns a row, so of thirty concurrent wrong
 * codes exactly five are ever checked.
 */
export const claimChallenge = compiled('write', ['hash', 'now', 'max'], (db, p) =>
  db
    .update(mfaChallenges)
    .set({ attempts: sql`${mfaChallenges.attempts} + 1` })
    .where(and(eq(mfaChallenges.hash, p.hash), isNull(mfaChallenges.usedAt), sql`${mfaChallenges.expiresAt} > ${p.now}`, lt(mfaChallenges.attempts, p.max)))
    .returning({
      userUuid: mfaChallenges.userUuid,
      securityStamp: mfaChallenges.securityStamp,
      throttleKey: mfaChallenges.throttleKey,
      door: mfaChallenges.door,
      clientId: mfaChallenges.clientId,
    }),
);

/** The challenge's user and factor, as they are now. */
export const challengeAccount = compiled('read', ['hash'], (db, p) =>
  db
    .select({
      uuid: users.uuid,
      email: users.email,
      role: users.role,
      disabled: users.disabled,
      securityStamp: users.securityStamp,
      mfaEnabled: users.mfaEnabled,
      secret: totpFactors.secret,
      lastStep: totpFactors.lastStep,
    })
    .from(mfaChallenges)
    .innerJoin(users, eq(users.uuid, mfaChallenges.userUuid))
    .leftJoin(totpFactors, and(eq(totpFactors.userUuid, users.uuid), isNotNull(totpFactors.activatedAt)))
    .where(eq(mfaChallenges.hash, p.hash)),
);

/** The challenge's throttle key, for the account throttle's read and count in the same batch. */
export const challengeThrottleKey = (hash: string) => sql`(select ${mfaChallenges.throttleKey} from ${mfaChallenges} where ${mfaChallenges.hash} = ${hash})`;

/** The challenge used, only by the request whose code won (`codeWonBy`): then its session may be made. */
export const spendChallenge = compiled('write', ['hash', 'now', 'sessionId', 'userUuid'], (db, p) =>
  db
    .update(mfaChallenges)
    .set({ usedAt: sql`${p.now}`, sessionId: sql`${p.sessionId}` })
    .where(and(eq(mfaChallenges.hash, p.hash), isNull(mfaChallenges.usedAt), codeWonBy(p.userUuid, p.sessionId))),
);

/** Expired challenges, for the hourly cleanup. */
export const pruneChallenges = (db: Db, now: number, limit: number) =>
  db
    .delete(mfaChallenges)
    .where(sql`${mfaChallenges.hash} in (select ${mfaChallenges.hash} from ${mfaChallenges} where ${mfaChallenges.expiresAt} < ${now} limit ${limit})`)
    .returning({ hash: mfaChallenges.hash });
