import { env } from 'cloudflare:workers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as admin from '../../scripts/admin-sql';
import { ROLES } from '../../src/db/schema';
import { USERNAME_PATTERN } from '../../src/lib/text';
import { isLiveSession } from '../../src/policy/live-session';
import { recordRevocations, REVOKED_SESSION_PREFIX } from '../../src/services/revocation';
import { body, get } from '../helpers/api';
import { createUser, login, signedIn } from '../helpers/factories';

// The admin CLI sends these statements through `wrangler d1 execute --command`, which has no
// bound parameters. Here they run against the real test D1 to show no argument changes them.

const HOSTILE = [
  `x' OR 1=1 --`,
  `'; DROP TABLE users; --`,
  `admin'--`,
  `' OR ''='`,
  `') UNION SELECT password_hash FROM users --`,
  `"; DELETE FROM sessions; --`,
  `%`,
  `_`,
  `*`,
  `?`,
  `[`,
  `\\`,
  `'`,
  `"`,
  `X'00'`,
  `Zoë'; UPDATE users SET role='admin'; --`,
  `😀`,
  `ab\u202Ecd`,
];

const TABLES = ['users', 'logins', 'sessions', 'refresh_tokens', 'photos', 'login_throttle'];

type Rows = Record<string, unknown>[];

/** Runs statements as one batch, as wrangler does, and returns each statement's rows. */
async function run(statements: string[]): Promise<[Rows, Rows, Rows, Rows]> {
  const results = await env.DB.batch(statements.map((s) => env.DB.prepare(s)));
  return results.map((r) => r.results) as [Rows, Rows, Rows, Rows];
}

/** The schema and every row of every table, to prove a command changed nothing else. */
async function snapshot(): Promise<string> {
  const schema = await env.DB.prepare(`SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE '\\_cf\\_%' ESCAPE '\\' ORDER BY name`).all();
  const rows = await env.DB.batch(TABLES.map((t) => env.DB.prepare(`SELECT * FROM ${t} ORDER BY 1`)));
  return JSON.stringify([schema.results, rows.map((r) => r.results)]);
}

/**
 * What is left of the SQL when the hex of every encoded literal is masked and find-user's
 * per-letter replace() wrappers (a fixed fragment around two literals) are removed: the part
 * of a statement that input could change if it could inject.
 */
const structure = (sql: string[]) =>
  admin
    .joinStatements(sql)
    .replace(/X'[0-9A-F]*'/g, "X'…'")
    .replace(/replace\(/g, '')
    .replace(/, CAST\(X'…' AS TEXT\), CAST\(X'…' AS TEXT\)\)/g, '');

describe('admin arguments', () => {
  it('keeps the username rule and the roles equal to the API', () => {
    // The same objects, not copies: the admin SQL imports them from src/.
    expect(admin.USERNAME_PATTERN).toBe(USERNAME_PATTERN);
    expect(admin.ROLES).toBe(ROLES);
    expect([...admin.ROLES]).toEqual(['normal', 'celebrity', 'admin']);
  });

  it('refuses every hostile username before building any SQL', () => {
    for (const name of [...HOSTILE, 'ab', 'a'.repeat(33), 'alice bob', '', 'ålice']) {
      let built: string[] | undefined;
      expect(() => (built = admin.setRoleSql(name, 'admin', 1))).toThrow(admin.AdminInputError);
      expect(() => (built = admin.revokeSessionsSql(name, 1))).toThrow(admin.AdminInputError);
      expect(() => (built = admin.userToDeleteSql(name))).toThrow(admin.AdminInputError);
      expect(built).toBeUndefined();
    }
  });

  it('refuses roles outside the enum, and empty or oversized find-user text', () => {
    for (const role of [...HOSTILE, 'Admin', 'superuser', '']) {
      expect(() => admin.setRoleSql('alice', role, 1)).toThrow(admin.AdminInputError);
    }
    expect(() => admin.findUserSql('')).toThrow(admin.AdminInputError);
    expect(() => admin.findUserSql('a'.repeat(admin.MAX_SEARCH_LENGTH + 1))).toThrow(admin.AdminInputError);
    expect(() => admin.int(1.5)).toThrow(admin.AdminInputError);
  });
});

describe('admin SQL literals', () => {
  it('encode any text as hex that D1 reads back unchanged', async () => {
    const samples = fc.sample(fc.string({ unit: 'binary', maxLength: 40 }), 60).filter((s) => !s.includes('\0'));
    const values = [...HOSTILE, ...samples];
    for (const v of values) expect(admin.text(v)).toMatch(/^CAST\(X'(?:[0-9A-F]{2})*' AS TEXT\)$/);
    const rows = await run(values.map((v) => `SELECT ${admin.text(v)} AS v`));
    // Well-formed text comes back as it went in (a lone surrogate as U+FFFD, as UTF-8 requires).
    expect(rows.map((r) => r[0]?.v)).toEqual(values.map((v) => new TextDecoder().decode(new TextEncoder().encode(v))));
  });

  it('give every command the same structure whatever the input', () => {
    const base = structure(admin.findUserSql('a'));
    fc.assert(fc.property(fc.string({ unit: 'binary', minLength: 1, maxLength: 60 }), (s) => structure(admin.findUserSql(s)) === base));
    for (const h of HOSTILE) expect(structure(admin.findUserSql(h))).toBe(base);
    expect(structure(admin.deleteUserSql(`x' OR 1=1 --`, 1))).toBe(structure(admin.deleteUserSql('0190-uuid', 1)));
  });
});

describe('find-user against D1', () => {
  it('matches hostile text only literally and changes nothing', async () => {
    const names = [
      { name: "Bob O'Brien", surname: '100% real_deal' },
      { name: 'Zoë', surname: 'Ångström' },
      { name: 'Robert', surname: "x' OR 1=1 --" },
      { name: 'Plain', surname: 'Person' },
    ];
    for (const n of names) await createUser(n);
    const all = (await env.DB.prepare('SELECT uuid, username_key, email_key, name, surname FROM users').all()).results as Record<string, string>[];
    const before = await snapshot();
    expect(before).toContain('"name":"users","sql":"CREATE TABLE');

    for (const needle of [...HOSTILE, 'zoë', 'ÅNGSTRÖM', "o'brien", 'PLAIN PERSON', 'example.com']) {
      const found = (await run(admin.findUserSql(needle)))[0].map((r) => r.uuid).sort();
      const want = needle.normalize('NFC').toLowerCase();
      const expected = all
        .filter((u) => [u.username_key!, u.email_key!, `${u.name} ${u.surname}`].some((h) => h.toLowerCase().includes(want)))
        .map((u) => u.uuid)
        .sort();
      expect(found, `find-user ${JSON.stringify(needle)}`).toEqual(expected);
      expect(found).not.toContain(undefined);
      // The exact string wrangler receives, run whole: still nothing but a SELECT.
      await env.DB.exec(admin.joinStatements(admin.findUserSql(needle)));
    }
    expect((await run(admin.findUserSql("x' OR 1=1 --")))[0]).toHaveLength(1);
    expect((await run(admin.findUserSql('%')))[0]).toHaveLength(1);
    expect((await run(admin.findUserSql('ÅNGSTRÖM')))[0].map((r) => r.name)).toEqual(['Zoë']);
    // Longest text, every letter non-ASCII (a replace() each): D1 still runs it, matching nothing.
    const long = 'ΑΒΓΔΕΖΗΘΙΚΛΜΝΞΟΠΡΣΤΥΦΧΨΩАБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯ'.repeat(5).slice(0, admin.MAX_SEARCH_LENGTH);
    expect((await run(admin.findUserSql(long)))[0]).toEqual([]);
    expect(await snapshot()).toBe(before);
    expect((await env.DB.prepare(`SELECT count(*) AS n FROM users`).first<{ n: number }>())!.n).toBe(all.length);
  });

  it('never selects a password hash', () => {
    for (const sql of [admin.listUsersSql(), admin.findUserSql('a'), admin.userToDeleteSql('alice'), admin.setRoleSql('alice', 'admin', 1)]) {
      expect(admin.joinStatements(sql)).not.toMatch(/password|\*/i);
    }
  });
});

describe('admin commands against D1', () => {
  it('set-role changes only that user, revokes their live sessions and refuses their token', async () => {
    const target = await signedIn('normal');
    const bystander = await signedIn('normal');
    const now = Date.now();
    const [[before], revoked, [changed]] = await run(admin.setRoleSql(target.username.toUpperCase(), 'admin', now));
    expect(before).toMatchObject({ uuid: target.uuid, role: 'normal' });
    expect(revoked).toHaveLength(1);
    expect(changed).toMatchObject({ uuid: target.uuid, role: 'admin' });
    expect((await get('/user/me', { token: target.access })).status).toBe(401);
    expect((await get('/user/me', { token: bystander.access })).status).toBe(200);

    const again = await run(admin.setRoleSql(target.username, 'admin', now + 1));
    expect(again[1]).toEqual([]);
    expect(again[2]).toEqual([]);
    const missing = await run(admin.setRoleSql('no-such-user', 'admin', now));
    expect(missing).toEqual([[], [], []]);
  });

  it('revoke-sessions revokes every live session of the user', async () => {
    const user = await signedIn('celebrity');
    const [revoked, [found]] = await run(admin.revokeSessionsSql(user.username, Date.now()));
    expect(found).toMatchObject({ uuid: user.uuid });
    expect(revoked.map((r) => typeof r.id)).toEqual(['string']);
    const res = await get('/user/me', { token: user.access });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  it('revoke-sessions does not touch an expired session, since it is not live', async () => {
    const user = await signedIn('normal');
    await login(user);
    await login(user);
    const now = Date.now();
    const ids = (await env.DB.prepare('SELECT id FROM sessions WHERE user_uuid = ? ORDER BY id').bind(user.uuid).all<{ id: string }>()).results.map(
      (r) => r.id,
    );
    expect(ids).toHaveLength(3);
    const [fresh, slid, capped] = ids as [string, string, string];
    // One past its sliding expiry, one past its absolute cap: both refuse everything already.
    await env.DB.batch([
      env.DB.prepare('UPDATE sessions SET expires_at = ? WHERE id = ?').bind(now - 1, slid),
      env.DB.prepare('UPDATE sessions SET absolute_expires_at = ? WHERE id = ?').bind(now, capped),
    ]);
    const [revoked] = await run(admin.revokeSessionsSql(user.username, now));
    expect(revoked.map((r) => r.id)).toEqual([fresh]);
    const after = await env.DB.prepare('SELECT id, revoked_at FROM sessions WHERE user_uuid = ? ORDER BY id')
      .bind(user.uuid)
      .all<{ id: string; revoked_at: number | null }>();
    expect(after.results).toEqual([
      { id: fresh, revoked_at: now },
      { id: slid, revoked_at: null },
      { id: capped, revoked_at: null },
    ]);
    // stats counts by the same rule as the worker's in-memory check.
    const [, [counts]] = await run(admin.statsSql(now));
    const all = await env.DB.prepare('SELECT revoked_at, expires_at, absolute_expires_at FROM sessions').all<{
      revoked_at: number | null;
      expires_at: number;
      absolute_expires_at: number;
    }>();
    const live = all.results.filter((r) => isLiveSession({ revokedAt: r.revoked_at, expiresAt: r.expires_at, absoluteExpiresAt: r.absolute_expires_at }, now));
    expect(counts!.live_sessions).toBe(live.length);
  });

  it('delete-user erases the user and cascades, leaving other users whole', async () => {
    const gone = await signedIn('normal');
    const kept = await signedIn('normal');
    const [[user], photos] = await run(admin.userToDeleteSql(gone.username));
    expect(user).toMatchObject({ uuid: gone.uuid, username: gone.username });
    expect(photos).toEqual([]);
    const [revoked, [counts], , [deleted]] = await run(admin.deleteUserSql(gone.uuid, Date.now()));
    expect(revoked).toHaveLength(1);
    expect(counts).toEqual({ logins: 1, sessions: 1, refresh_tokens: 1, photos: 0 });
    expect(deleted).toMatchObject({ uuid: gone.uuid });
    for (const t of ['logins', 'sessions', 'photos']) {
      const left = await env.DB.prepare(`SELECT count(*) AS n FROM ${t} WHERE user_uuid = ?`).bind(gone.uuid).first<{ n: number }>();
      expect(left!.n, t).toBe(0);
    }
    expect((await get('/user/me', { token: kept.access })).status).toBe(200);
    expect(await body(await get('/user/me', { token: kept.access }))).not.toHaveProperty('password_hash');
  });

  it('stats counts users by role, live sessions and recent logins', async () => {
    await signedIn('admin');
    const [roles, [counts]] = await run(admin.statsSql(Date.now()));
    const total = await env.DB.prepare('SELECT count(*) AS n FROM users').first<{ n: number }>();
    expect(roles.reduce((n, r) => n + (r.users as number), 0)).toBe(total!.n);
    expect(counts).toMatchObject({ users: total!.n, disabled: 0, pending_photos: 0 });
    expect(counts!.live_sessions as number).toBeGreaterThan(0);
    expect(counts!.logins_24h as number).toBeGreaterThan(0);
  });
});

describe('revocation records (admin scripts)', () => {
  it('follow the worker: until the newest access token expires, at least 60 s, none for idle sessions', () => {
    const now = 1_800_000_000_000;
    const ttl = (lastUsedAt: number) => admin.revocationEntries([{ id: 's', last_used_at: lastUsedAt }], 'deleted', 900, now)[0]?.expiration_ttl ?? 0;
    expect(ttl(now)).toBe(900);
    expect(ttl(now - 870_000)).toBe(60);
    expect(ttl(now - 900_000)).toBe(0);
  });

  it('are the records the worker writes: same keys, values and expiry', async () => {
    const now = Date.now();
    const run = crypto.randomUUID();
    const revoked = [
      { id: `${run}-fresh`, last_used_at: now },
      { id: `${run}-older`, last_used_at: now - 870_000 },
      { id: `${run}-idle`, last_used_at: now - 900_000 },
    ];
    const entries = admin.revocationEntries(revoked, 'logout_everywhere', 900, now);
    expect(entries.map((e) => e.key)).toEqual([`${REVOKED_SESSION_PREFIX}${run}-fresh`, `${REVOKED_SESSION_PREFIX}${run}-older`]);
    expect(JSON.parse(entries[0]!.value)).toEqual({ revoked_at: new Date(now).toISOString(), reason: 'logout_everywhere' });

    await recordRevocations(
      env.REVOCATIONS,
      revoked.map((r) => ({ id: r.id, lastUsedAt: r.last_used_at })),
      'logout_everywhere',
      900,
      now,
    );
    const listed = await env.REVOCATIONS.list({ prefix: `${REVOKED_SESSION_PREFIX}${run}` });
    const written = await Promise.all(listed.keys.map(async (k) => ({ key: k.name, value: await env.REVOCATIONS.get(k.name), expiration: k.expiration })));
    expect(written.map(({ key, value }) => ({ key, value }))).toEqual(
      entries.map(({ key, value }) => ({ key, value })).sort((a, b) => a.key.localeCompare(b.key)),
    );
    for (const w of written) {
      const entry = entries.find((e) => e.key === w.key)!;
      // KV stores an absolute expiry from its own clock: allow the seconds this test takes.
      expect(Math.abs(w.expiration! - (Math.floor(now / 1000) + entry.expiration_ttl))).toBeLessThanOrEqual(2);
    }
  });
});
