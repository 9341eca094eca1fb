import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { REVOKED_SESSION_PREFIX } from '../../src/services/revocation';
import { del, get } from '../helpers/api';
import { createUser, login } from '../helpers/factories';
import { sidOf } from '../helpers/jwt';

const CAP = loadConfig(env).MAX_SESSIONS_PER_USER;
const live = async (uuid: string) =>
  (await env.DB.prepare('select count(*) as n from sessions where user_uuid = ? and revoked_at is null').bind(uuid).first<{ n: number }>())!.n;

/**
 * At most MAX_SESSIONS_PER_USER live sessions per user: the oldest ends when a new one starts
 * beyond the cap, so "log out everywhere" writes at most that many KV records in one invocation.
 */
describe('live sessions per user', () => {
  it(`stay at ${CAP}: the ${CAP + 1}th login ends the oldest session, for the API and in KV`, async () => {
    const user = await createUser();
    const sessions = [];
    for (let i = 0; i < CAP; i++) sessions.push(await login(user));
    expect(await live(user.uuid)).toBe(CAP);
    expect((await get('/user/me', { token: sessions[0]!.access })).status).toBe(200);

    const newest = await login(user);
    expect(await live(user.uuid)).toBe(CAP);
    expect((await get('/user/me', { token: sessions[0]!.access })).status).toBe(401);
    expect(await env.REVOCATIONS.get(`${REVOKED_SESSION_PREFIX}${sidOf(sessions[0]!.access)}`, 'json')).toMatchObject({ reason: 'session_limit' });
    for (const s of [...sessions.slice(1), newest]) expect((await get('/user/me', { token: s.access })).status).toBe(200);

    // Revoking all of them at the cap writes one KV record per session: CAP, no more.
    expect((await del(`/user/${user.uuid}/sessions`, { token: newest.access })).status).toBe(204);
    const { keys } = await env.REVOCATIONS.list({ prefix: REVOKED_SESSION_PREFIX });
    const mine = new Set([...sessions, newest].map((s) => `${REVOKED_SESSION_PREFIX}${sidOf(s.access)}`));
    expect(keys.filter((k) => mine.has(k.name))).toHaveLength(CAP + 1);
    expect(await live(user.uuid)).toBe(0);
  });
});
