import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { getDb } from '../../src/db/client';
import { runBatch } from '../../src/db/statement';
import { refreshGrant } from '../../src/services/auth/refresh-grant';
import { KV_MIN_TTL_SECONDS, recordRevocations, REVOKED_SESSION_PREFIX, revocationTtl } from '../../src/services/revocation';
import { isRefreshTokenShaped, liveSessionsOf, revokeSessionsUnguarded, sessionsPage } from '../../src/services/sessions/statements';
import { testDeps, TEST_CLIENT as client } from '../helpers/deps';
import { signedIn } from '../helpers/factories';
import { claimsOf, sidOf } from '../helpers/jwt';

const DAY = 86_400_000;
const config = loadConfig(env);
const db = getDb(env.DB);

const sessionRow = (sid: string) =>
  env.DB.prepare('select created_at, expires_at, absolute_expires_at, revoked_at, ip, user_agent, country from sessions where id = ?').bind(sid).first<{
    created_at: number;
    expires_at: number;
    absolute_expires_at: number;
    revoked_at: number | null;
    ip: string;
    user_agent: string;
    country: string;
  }>();

/** A refresh at `now`, reduced to what these tests compare: the new token or refused/reused. */
async function rotate(token: string, now: number) {
  const result = await refreshGrant(testDeps({ at: now }), { refreshToken: token });
  if (result.kind === 'refused') return { ok: false, reused: result.reused } as const;
  const claims = claimsOf(result.tokens.accessToken);
  return { ok: true, refreshToken: result.tokens.refreshToken, sessionId: claims.sid, user: { uuid: claims.sub, role: claims.role } } as const;
}

async function listLiveSessions(userUuid: string, now: number) {
  const { page } = await runBatch(db, { page: liveSessionsOf(db, userUuid, { limit: 10 }, now) });
  return sessionsPage(page, 10);
}

/** Revokes a user's live sessions and records them in KV, as the services do; the ids revoked. */
async function revokeSessions(userUuid: string, now: number) {
  const { revoked } = await runBatch(db, { revoked: revokeSessionsUnguarded(db, { userUuid }, now) });
  await recordRevocations(env.REVOCATIONS, revoked, 'logout_everywhere', config.ACCESS_TOKEN_TTL_SECONDS, now);
  return revoked.map((r) => r.id);
}

describe('refreshGrant', () => {
  it('slides the expiry by REFRESH_TOKEN_TTL_SECONDS from each use and records where it was used', async () => {
    const user = await signedIn();
    const sid = sidOf(user.access);
    const start = (await sessionRow(sid))!.created_at;
    const at = start + 29 * DAY;
    const result = await rotate(user.refresh, at);
    expect(result).toMatchObject({ ok: true, sessionId: sid, user: { uuid: user.uuid, role: 'normal' } });
    const row = (await sessionRow(sid))!;
    expect(row.expires_at).toBe(at + config.REFRESH_TOKEN_TTL_SECONDS * 1000);
    expect(row).toMatchObject({ ip: client.ip, user_agent: client.userAgent, country: client.country });
  });

  it('refuses a token unused for longer than the sliding lifetime', async () => {
    const user = await signedIn();
    const start = (await sessionRow(sidOf(user.access)))!.created_at;
    expect(await rotate(user.refresh, start + config.REFRESH_TOKEN_TTL_SECONDS * 1000 + 1)).toEqual({ ok: false, reused: false });
  });

  it('never slides past the absolute cap, and refuses every token from the cap on', async () => {
    const user = await signedIn();
    const sid = sidOf(user.access);
    const start = (await sessionRow(sid))!.created_at;
    const cap = start + config.REFRESH_TOKEN_ABSOLUTE_TTL_SECONDS * 1000;
    let token = user.refresh;
    // Used every 29 days, the session would live forever without the cap.
    for (let day = 29; day * DAY < cap - start; day += 29) {
      const result = await rotate(token, start + day * DAY);
      if (!result.ok) throw new Error(`refused on day ${day}`);
      token = result.refreshToken;
      expect((await sessionRow(sid))!.expires_at).toBeLessThanOrEqual(cap);
    }
    expect((await sessionRow(sid))!.expires_at).toBe(cap);
    expect(await rotate(token, cap)).toEqual({ ok: false, reused: false });
    expect((await sessionRow(sid))!.revoked_at).toBeNull();
  });

  it('answers a malformed token without touching D1 or KV', async () => {
    for (const token of ['', 'x', '!'.repeat(43), 'a'.repeat(44), `${'a'.repeat(42)}=`]) {
      expect(isRefreshTokenShaped(token)).toBe(false);
      expect(await rotate(token, Date.now())).toEqual({ ok: false, reused: false });
    }
  });

  it('reports reuse and revokes the family', async () => {
    const user = await signedIn();
    const at = Date.now();
    const first = await rotate(user.refresh, at);
    expect(first.ok).toBe(true);
    expect(await rotate(user.refresh, at + 1000)).toEqual({ ok: false, reused: true });
    expect((await sessionRow(sidOf(user.access)))!.revoked_at).toBe(at + 1000);
    if (first.ok) expect(await rotate(first.refreshToken, at + 2000)).toEqual({ ok: false, reused: false });
  });
});

describe('liveSessionsOf', () => {
  it('leaves out sessions whose sliding expiry has passed at `now`', async () => {
    const user = await signedIn();
    const start = (await sessionRow(sidOf(user.access)))!.created_at;
    expect((await listLiveSessions(user.uuid, start + 1000)).items).toHaveLength(1);
    expect((await listLiveSessions(user.uuid, start + config.REFRESH_TOKEN_TTL_SECONDS * 1000)).items).toHaveLength(0);
  });
});

describe('revocation records', () => {
  it("last exactly as long as the newest access token of the session, never below KV's 60 s", () => {
    const now = 1_800_000_000_000;
    expect(revocationTtl(now, 900, now)).toBe(900);
    expect(revocationTtl(now - 600_000, 900, now)).toBe(300);
    expect(revocationTtl(now - 899_500, 900, now)).toBe(KV_MIN_TTL_SECONDS);
    expect(revocationTtl(now - 900_000, 900, now)).toBe(0);
    expect(revocationTtl(now - DAY, 900, now)).toBe(0);
    expect(revocationTtl(now - 500, 900, now)).toBe(900);
  });

  it('are not written for sessions idle longer than an access-token lifetime: no token of theirs is left to refuse', async () => {
    const user = await signedIn();
    const active = sidOf(user.access);
    const idle = (await signedIn()).access; // another user's session, made idle below
    const idleSid = sidOf(idle);
    const now = Date.now();
    await recordRevocations(
      env.REVOCATIONS,
      [
        { id: active, lastUsedAt: now },
        { id: idleSid, lastUsedAt: now - config.ACCESS_TOKEN_TTL_SECONDS * 1000 - 1 },
      ],
      'logout',
      config.ACCESS_TOKEN_TTL_SECONDS,
      now,
    );
    expect(await env.REVOCATIONS.get(`${REVOKED_SESSION_PREFIX}${active}`, 'json')).toEqual({ revoked_at: new Date(now).toISOString(), reason: 'logout' });
    expect(await env.REVOCATIONS.get(`${REVOKED_SESSION_PREFIX}${idleSid}`)).toBeNull();
  });

  it('are written for the sessions a revocation ended, once each', async () => {
    const user = await signedIn();
    const sid = sidOf(user.access);
    const now = Date.now();
    expect(await revokeSessions(user.uuid, now)).toEqual([sid]);
    expect(await revokeSessions(user.uuid, now + 1)).toEqual([]);
    const { keys } = await env.REVOCATIONS.list({ prefix: `${REVOKED_SESSION_PREFIX}${sid}` });
    expect(keys).toHaveLength(1);
    expect(keys[0]!.expiration).toBeGreaterThanOrEqual(Math.floor(now / 1000) + KV_MIN_TTL_SECONDS);
    expect(keys[0]!.expiration).toBeLessThanOrEqual(Math.ceil(now / 1000) + config.ACCESS_TOKEN_TTL_SECONDS + 2);
  });
});
