import { env } from 'cloudflare:workers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../scripts/admin-args';
import * as admin from '../../scripts/admin-sql';
import { ROLES } from '../../src/db/schema';
import { uuidv7 } from '../../src/lib/ids';
import { USERNAME_PATTERN } from '../../src/lib/text';
import { isLiveSession } from '../../src/policy/live-session';
import { recordRevocations, REVOKED_SESSION_PREFIX } from '../../src/services/revocation';
import { newApiKey } from '../../src/services/clients/keys';
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

const TABLES = ['users', 'logins', 'sessions', 'refresh_tokens', 'photos', 'login_throttle', 'audit_events'];

type Rows = Record<string, unknown>[];

/** Runs statements as one batch, as wrangler does, and returns each statement's rows. */
async function run(statements: string[]): Promise<[Rows, Rows, Rows, Rows, Rows]> {
  const results = await env.DB.batch(statements.map((s) => env.DB.prepare(s)));
  return results.map((r) => r.results) as [Rows, Rows, Rows, Rows, Rows];
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
    const audit = admin.auditSql({ user: 'alice', event: 'login.failed', since: '2026-01-01' });
    for (const sql of [admin.listUsersSql(), admin.findUserSql('a'), admin.userToDeleteSql('alice'), admin.setRoleSql('alice', 'admin', 1), audit]) {
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

  it('reset-mfa removes the second factor, revokes the sessions and records the reset', async () => {
    const { mfaAccess, mfaUser } = await import('../helpers/mfa');
    const user = await mfaUser();
    const access = await mfaAccess(user);
    const now = Date.now();
    const [revoked, , [found], , removed] = await run(admin.resetMfaSql(user.username, now, uuidv7(now)));
    expect(found).toMatchObject({ uuid: user.uuid });
    expect(revoked.length).toBeGreaterThanOrEqual(1);
    expect(removed).toEqual([{ user_uuid: user.uuid }]);
    expect((await get('/user/me', { token: access })).status).toBe(401);
    const row = await env.DB.prepare('select mfa_enabled, (select count(*) from recovery_codes where user_uuid = ?) as codes from users where uuid = ?')
      .bind(user.uuid, user.uuid)
      .first<{ mfa_enabled: number; codes: number }>();
    expect(row).toEqual({ mfa_enabled: 0, codes: 0 });
    const event = await env.DB.prepare("select count(*) as n from audit_events where subject_uuid = ? and event = 'mfa.reset'")
      .bind(user.uuid)
      .first<{ n: number }>();
    expect(event!.n).toBe(1);
    expect(await run(admin.resetMfaSql('no-such-user', now, uuidv7(now)))).toEqual([[], [], [], [], []]);
  });

  it('list-users shows whether each user has a second factor', async () => {
    const { mfaUser } = await import('../helpers/mfa');
    const user = await mfaUser();
    const [rows] = await run(admin.findUserSql(user.username));
    expect(rows).toMatchObject([{ uuid: user.uuid, mfa_enabled: 1 }]);
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

// audit: events written straight into D1, as the worker's statements would write them.

const DAY = 86_400_000;

/** A UUIDv7 of exactly `ms` (48 bits of time, version 7, variant, random bits), as src/lib/ids.ts lays them out. */
function idAt(ms: number): string {
  const hex = [...crypto.getRandomValues(new Uint8Array(10))].map((b) => b.toString(16).padStart(2, '0')).join('');
  const t = ms.toString(16).padStart(12, '0');
  return `${t.slice(0, 8)}-${t.slice(8)}-7${hex.slice(0, 3)}-${'89ab'[Number.parseInt(hex[3]!, 16) % 4]}${hex.slice(4, 7)}-${hex.slice(7, 19)}`;
}

interface EventSeed {
  at: number;
  event?: string;
  actor?: string | null;
  subject?: string | null;
  ip?: string | null;
  country?: string | null;
  detail?: string | null;
}

/** Inserts the events (one batch) and returns their ids in the same order. */
async function insertEvents(events: EventSeed[]): Promise<string[]> {
  const ids = events.map((e) => idAt(e.at));
  const insert =
    'insert into audit_events (id, at, event, actor_uuid, subject_uuid, ip, user_agent, country, client_id, detail) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
  await env.DB.batch(
    events.map((e, i) =>
      env.DB.prepare(insert).bind(
        ids[i],
        e.at,
        e.event ?? 'login.succeeded',
        e.actor ?? null,
        e.subject ?? null,
        e.ip === undefined ? '203.0.113.7' : e.ip,
        'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0',
        e.country === undefined ? 'PT' : e.country,
        'userauth',
        e.detail ?? null,
      ),
    ),
  );
  return ids;
}

interface StoredEvent {
  id: string;
  at: number;
  event: string;
  subject_uuid: string | null;
}

/** The oracle: every event in the table, newest first, filtered in JavaScript. */
async function newest(keep: (e: StoredEvent) => boolean = () => true): Promise<string[]> {
  const all = await env.DB.prepare('select id, at, event, subject_uuid from audit_events').all<StoredEvent>();
  return all.results
    .filter(keep)
    .map((e) => e.id)
    .sort()
    .reverse()
    .slice(0, admin.LIST_LIMIT);
}

const ids = (rows: Rows) => rows.map((r) => r.id as string);

/** EXPLAIN QUERY PLAN of the events statement: one line per step. */
async function plan(statements: string[]): Promise<string[]> {
  const rows = await env.DB.prepare(`explain query plan ${statements[0]}`).all<{ detail: string }>();
  return rows.results.map((r) => r.detail);
}

describe('audit against D1', () => {
  it('lists the newest events first, at most LIST_LIMIT, naming actor and subject where the user still exists', async () => {
    const adminUser = await createUser({ role: 'admin' });
    const alice = await createUser();
    const gone = crypto.randomUUID(); // an erased user: the events keep only the uuid
    const now = Date.now();
    const seeded = await insertEvents(
      Array.from({ length: admin.LIST_LIMIT + 20 }, (_, i) => ({
        at: now - DAY + i * 1000,
        event: 'user.role_changed',
        actor: adminUser.uuid,
        subject: alice.uuid,
        detail: JSON.stringify({ from: 'normal', to: 'celebrity' }),
      })),
    );
    const [ghost] = await insertEvents([{ at: now + 60_000, event: 'session.revoked', actor: gone, subject: gone, ip: null, country: null }]);

    const [rows, lookup] = await run(admin.auditSql());

    expect(rows).toHaveLength(admin.LIST_LIMIT);
    expect(ids(rows)).toEqual(await newest());
    expect(lookup).toEqual([]);
    expect(rows[0]).toEqual({
      id: ghost,
      at: now + 60_000,
      event: 'session.revoked',
      actor_uuid: gone,
      actor: null,
      subject_uuid: gone,
      subject: null,
      ip: null,
      country: null,
      detail: null,
    });
    const mine = rows.filter((r) => seeded.includes(r.id as string));
    expect(mine.length).toBeGreaterThan(0);
    for (const r of mine) {
      expect(r).toMatchObject({ actor: adminUser.username, actor_uuid: adminUser.uuid, subject: alice.username, subject_uuid: alice.uuid, country: 'PT' });
      expect(JSON.parse(r.detail as string)).toEqual({ from: 'normal', to: 'celebrity' });
    }
  });

  it('--user lists the events about that user, by username in any case or by uuid; an unknown name finds nothing', async () => {
    const alice = await createUser();
    const bob = await createUser();
    const now = Date.now();
    await insertEvents([
      { at: now - 3000, event: 'login.failed', subject: alice.uuid },
      { at: now - 2000, event: 'password.changed', actor: alice.uuid, subject: alice.uuid },
      { at: now - 1000, event: 'user.disabled', actor: bob.uuid, subject: bob.uuid },
      // Bob acting on Alice: about Alice.
      { at: now - 500, event: 'session.revoked', actor: bob.uuid, subject: alice.uuid },
    ]);
    const aboutAlice = await newest((e) => e.subject_uuid === alice.uuid);
    expect(aboutAlice.length).toBeGreaterThanOrEqual(3);

    const [byName, [found]] = await run(admin.auditSql({ user: alice.username.toUpperCase() }));
    expect(ids(byName)).toEqual(aboutAlice);
    expect(found).toEqual({ uuid: alice.uuid, username: alice.username });
    expect(byName.find((r) => r.event === 'session.revoked')).toMatchObject({ actor: bob.username, subject: alice.username });

    const [byUuid] = await run(admin.auditSql({ user: alice.uuid.toUpperCase() }));
    expect(ids(byUuid)).toEqual(aboutAlice);

    // An erased user's events are found by the uuid they kept; the lookup then finds no user.
    const gone = crypto.randomUUID();
    const [goneEvent] = await insertEvents([{ at: now, event: 'user.deleted', subject: gone }]);
    expect(await run(admin.auditSql({ user: gone }))).toEqual([[expect.objectContaining({ id: goneEvent, subject: null, subject_uuid: gone })], []]);

    expect(await run(admin.auditSql({ user: 'no-such-user' }))).toEqual([[], []]);
  });

  it('--event and --since narrow the list, --since from the first millisecond of the time given', async () => {
    const carol = await createUser();
    const since = Date.UTC(2031, 0, 31, 9, 30); // in the future: no other event of this file is that new
    await insertEvents([
      { at: since - 1, event: 'login.failed', subject: carol.uuid },
      { at: since, event: 'login.failed', subject: carol.uuid },
      { at: since + 1, event: 'login.succeeded', subject: carol.uuid },
      { at: since + DAY, event: 'login.failed', subject: null },
    ]);

    const [failed] = await run(admin.auditSql({ event: 'login.failed' }));
    expect(ids(failed)).toEqual(await newest((e) => e.event === 'login.failed'));
    expect(failed.every((r) => r.event === 'login.failed')).toBe(true);

    const [recent] = await run(admin.auditSql({ since: '2031-01-31T09:30Z' }));
    expect(ids(recent)).toEqual(await newest((e) => e.at >= since));
    expect(recent.map((r) => r.at)).toEqual([since + DAY, since + 1, since]);
    // The same instant with an offset; a date alone is midnight UTC.
    expect(ids((await run(admin.auditSql({ since: '2031-01-31T10:30:00.000+01:00' })))[0])).toEqual(ids(recent));
    expect((await run(admin.auditSql({ since: '2031-02-01' })))[0].map((r) => r.at)).toEqual([since + DAY]);

    const [all] = await run(admin.auditSql({ user: carol.username, event: 'login.failed', since: '2031-01-31T09:30Z' }));
    expect(all.map((r) => r.at)).toEqual([since]);
    expect(all[0]).toMatchObject({ subject: carol.username, event: 'login.failed' });
  });

  it('reads every filter as an index range from the newest end: no scan of a filtered list, no sort', async () => {
    const shapes: [admin.AuditFilters, RegExp][] = [
      // No filter: the primary key's index walked backwards, stopping after LIMIT rows.
      [{}, /^SCAN e USING INDEX sqlite_autoindex_audit_events_1$/],
      [{ user: 'alice' }, /^SEARCH e USING INDEX audit_events_subject_idx \(subject_uuid=\?\)$/],
      [{ user: crypto.randomUUID() }, /^SEARCH e USING INDEX audit_events_subject_idx \(subject_uuid=\?\)$/],
      [{ event: 'login.failed' }, /^SEARCH e USING INDEX audit_events_event_idx \(event=\?\)$/],
      [{ since: '2026-01-01' }, /^SEARCH e USING INDEX sqlite_autoindex_audit_events_1 \(id>\?\)$/],
      [{ user: 'alice', since: '2026-01-01' }, /^SEARCH e USING INDEX audit_events_subject_idx \(subject_uuid=\? AND id>\?\)$/],
      [{ event: 'login.failed', since: '2026-01-01' }, /^SEARCH e USING INDEX audit_events_event_idx \(event=\? AND id>\?\)$/],
    ];
    for (const [filters, step] of shapes) {
      const steps = await plan(admin.auditSql(filters));
      expect(steps[0], JSON.stringify(filters)).toMatch(step);
      // The users joined by primary key; nothing else scanned, nothing sorted in a temporary b-tree.
      expect(steps, JSON.stringify(filters)).toEqual(
        expect.arrayContaining([
          'SEARCH a USING INDEX sqlite_autoindex_users_1 (uuid=?) LEFT-JOIN',
          'SEARCH s USING INDEX sqlite_autoindex_users_1 (uuid=?) LEFT-JOIN',
        ]),
      );
      expect(
        steps.slice(1).filter((s) => /SCAN|TEMP B-TREE/.test(s)),
        JSON.stringify(filters),
      ).toEqual([]);
    }
  });

  it('changes nothing, and the exact string wrangler receives runs whole', async () => {
    const before = await snapshot();
    for (const filters of [{}, { user: 'alice' }, { user: crypto.randomUUID() }, { event: 'login.failed', since: '2026-01-31T09:30:00+01:00' }]) {
      await env.DB.exec(admin.joinStatements(admin.auditSql(filters)));
    }
    expect(await snapshot()).toBe(before);
  });
});

describe('audit arguments', () => {
  it('refuses hostile or malformed filters before building any SQL', () => {
    const refused = (filters: admin.AuditFilters) => {
      let built: string[] | undefined;
      expect(() => (built = admin.auditSql(filters)), JSON.stringify(filters)).toThrow(admin.AdminInputError);
      expect(built).toBeUndefined();
    };
    for (const h of [...HOSTILE, 'ab', 'a'.repeat(33), '']) refused({ user: h });
    for (const h of [
      ...HOSTILE,
      'login',
      'Login.failed',
      'login.failed.x',
      'login.failed ',
      'login-failed',
      '.failed',
      'login.',
      `${'a'.repeat(60)}.failed`,
      '',
    ]) {
      refused({ event: h });
    }
    const badDates = [
      ...HOSTILE,
      '',
      'yesterday',
      'now',
      '1735689600000',
      '2026-1-31',
      '2026/01/31',
      '31-01-2026',
      '2026-02-30',
      '2025-02-29',
      '2026-13-01',
      '2026-00-10',
      '2026-01-31T24:00Z',
      '2026-01-31T09:60Z',
      '2026-01-31T09:30:61Z',
      '2026-01-31T09:30+24:00',
      '2026-01-31T09:30', // no zone: whose 09:30?
      '2026-01-31 09:30Z',
      '2026-01-31T09:30z',
      '2026-01-31Z',
      '1969-12-31',
      '0001-01-01',
      ' 2026-01-31',
      '2026-01-31\n',
    ];
    for (const d of badDates) refused({ since: d });
    expect(() => admin.parseSince('2026-01-31T09:30')).toThrow(/time zone/);
    expect(() => admin.parseSince('yesterday')).toThrow(/ISO date/);
  });

  it('reads ISO dates and times with a zone as the instant they name', () => {
    expect(admin.parseSince('2026-01-31')).toBe(Date.UTC(2026, 0, 31));
    expect(admin.parseSince('2024-02-29')).toBe(Date.UTC(2024, 1, 29));
    expect(admin.parseSince('2026-01-31T09:30Z')).toBe(Date.UTC(2026, 0, 31, 9, 30));
    expect(admin.parseSince('2026-01-31T09:30:15.5Z')).toBe(Date.UTC(2026, 0, 31, 9, 30, 15, 500));
    expect(admin.parseSince('2026-01-31T09:30:15.123456789Z')).toBe(Date.UTC(2026, 0, 31, 9, 30, 15, 123));
    expect(admin.parseSince('2026-01-31T09:30:00+01:00')).toBe(Date.UTC(2026, 0, 31, 8, 30));
    expect(admin.parseSince('2026-01-31T00:30-05:30')).toBe(Date.UTC(2026, 0, 31, 6, 0));
    expect(admin.parseSince('1970-01-01')).toBe(0);
    const now = new Date().toISOString();
    expect(admin.parseSince(now)).toBe(Date.parse(now));
  });

  it('give audit the same structure whatever the values', () => {
    const username = fc.stringMatching(/^[A-Za-z0-9_.-]{3,32}$/);
    const event = fc.stringMatching(/^[a-z_]{1,20}\.[a-z_]{1,20}$/);
    const date = fc.date({ min: new Date(0), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }).map((d) => d.toISOString());
    const base = structure(admin.auditSql({ user: 'alice', event: 'login.failed', since: '2026-01-01' }));
    fc.assert(fc.property(username, event, date, (user, ev, since) => structure(admin.auditSql({ user, event: ev, since })) === base));
    const byUuid = structure(admin.auditSql({ user: crypto.randomUUID() }));
    fc.assert(fc.property(fc.uuid(), (uuid) => structure(admin.auditSql({ user: uuid })) === byUuid));
  });
});

describe('admin command line', () => {
  it('takes options in any order, a value as the next word or after =', () => {
    const line = { help: false, command: 'audit', args: [], where: ['--remote'] };
    const options = { user: 'alice', event: 'login.failed', since: '2026-01-31' };
    expect(parseCommandLine(['audit', '--user', 'alice', '--event', 'login.failed', '--since', '2026-01-31', '--remote'])).toEqual({ ...line, options });
    expect(parseCommandLine(['--remote', '--since=2026-01-31', '--event', 'login.failed', 'audit', '--user=alice'])).toEqual({ ...line, options });
    expect(parseCommandLine(['audit'])).toEqual({ ...line, where: ['--local'], options: {} });
    expect(parseCommandLine(['--local', 'set-role', 'alice', 'admin'])).toEqual({
      help: false,
      command: 'set-role',
      args: ['alice', 'admin'],
      where: ['--local'],
      options: {},
    });
    expect(parseCommandLine(['find-user', '--', '--text'])).toMatchObject({ command: 'find-user', args: ['--text'] });
    expect(parseCommandLine(['find-user', '--remote', '--', '--user'])).toMatchObject({ command: 'find-user', args: ['--user'], where: ['--remote'] });
    expect(parseCommandLine([])).toEqual({ help: true });
    expect(parseCommandLine(['audit', '--bogus', '--help'])).toEqual({ help: true });
  });

  it('takes --persist-to <dir> with any command, as wrangler arguments for that local state', () => {
    const where = ['--local', '--persist-to', '/tmp/state dir'];
    expect(parseCommandLine(['create-org', 'Docs', '--persist-to', '/tmp/state dir'])).toEqual({
      help: false,
      command: 'create-org',
      args: ['Docs'],
      where,
      options: {},
    });
    expect(parseCommandLine(['--persist-to=/tmp/state dir', 'create-client', '0191', 'Swagger test'])).toMatchObject({ args: ['0191', 'Swagger test'], where });
    expect(parseCommandLine(['list-orgs', '--local', '--persist-to', '/tmp/state dir'])).toMatchObject({ where });
    // Not an option of the command: audit's own options stay as they were.
    expect(parseCommandLine(['audit', '--persist-to', 's', '--user', 'alice'])).toMatchObject({
      where: ['--local', '--persist-to', 's'],
      options: { user: 'alice' },
    });
  });

  it('refuses unknown options, missing or repeated values, and options the command does not take', () => {
    const refusals: [string[], RegExp][] = [
      [['audit', '--bogus'], /^Unknown option --bogus$/],
      [['list-users', '--force'], /^Unknown option --force$/],
      [['list-users', '--local=yes'], /^Unknown option --local=yes$/],
      [['audit', '--users', 'alice'], /^Unknown option --users$/],
      [['audit', '--user'], /^--user needs a value$/],
      [['audit', '--user='], /^--user needs a value$/],
      [['audit', '--user', '--remote'], /^--user needs a value$/],
      [['audit', '--since', '--', '2026-01-31'], /^--since needs a value$/],
      [['audit', '--event', 'login.failed', '--event', 'login.succeeded'], /^Give --event once$/],
      [['list-users', '--user', 'alice'], /^list-users takes no --user option$/],
      [['delete-user', 'alice', '--since', '2026-01-31'], /^delete-user takes no --since option$/],
      [['audit', 'alice'], /^audit takes 0 arguments, got 1$/],
      [['audit', '--local', '--remote'], /^Give --local or --remote, not both$/],
      [['list-orgs', '--persist-to', '/tmp/state', '--remote'], /^--persist-to names a local state; it cannot go with --remote$/],
      [['--remote', 'create-org', 'Docs', '--persist-to=/tmp/state'], /^--persist-to names a local state; it cannot go with --remote$/],
      [['list-orgs', '--persist-to'], /^--persist-to needs a value$/],
      [['list-orgs', '--persist-to='], /^--persist-to needs a value$/],
      [['list-orgs', '--persist-to', '--remote'], /^--persist-to needs a value$/],
      [['list-orgs', '--persist-to', 'a', '--persist-to', 'b'], /^Give --persist-to once$/],
      [['drop-tables'], /^Unknown command "drop-tables"$/],
      [['toString'], /^Unknown command "toString"$/],
    ];
    for (const [argv, message] of refusals) expect(() => parseCommandLine(argv), argv.join(' ')).toThrow(message);
    for (const [argv] of refusals) expect(() => parseCommandLine(argv)).toThrow(admin.AdminInputError);
  });
});

describe('organization and client commands against D1', () => {
  const eventsOf = (event: string, org: string) =>
    env.DB.prepare("select subject_uuid, detail from audit_events where event = ? and json_extract(detail, '$.organization') = ?").bind(event, org).all();

  it('create-org stores any name verbatim, with its event; add-member joins a user, never one of another organization', async () => {
    const now = Date.now();
    const id = uuidv7(now);
    const [[org]] = await run(admin.createOrgSql(`  Zoë'; DROP TABLE organizations; --  `, id, now, uuidv7(now)));
    expect(org).toEqual({ id, name: `Zoë'; DROP TABLE organizations; --`, created_at: now });
    expect((await eventsOf('org.created', id)).results).toEqual([{ subject_uuid: null, detail: JSON.stringify({ organization: id, via: 'admin-cli' }) }]);

    const user = await createUser();
    const [[found], [before], , [after]] = await run(admin.addMemberSql(id, user.username.toUpperCase(), 'admin', now, uuidv7(now)));
    expect(found).toMatchObject({ id });
    expect(before).toMatchObject({ uuid: user.uuid, organization_id: null });
    expect(after).toEqual({ uuid: user.uuid, username: user.username, organization_id: id, org_role: 'admin' });
    expect((await eventsOf('org.member_set', id)).results).toEqual([
      { subject_uuid: user.uuid, detail: JSON.stringify({ organization: id, role: 'admin', via: 'admin-cli' }) },
    ]);

    const other = uuidv7(now + 1);
    await run(admin.createOrgSql('Other', other, now, uuidv7(now)));
    const refused = await run(admin.addMemberSql(other, user.username, 'member', now, uuidv7(now)));
    expect(refused[3]).toEqual([]);
    expect((await eventsOf('org.member_set', other)).results).toEqual([]);
    expect(await run(admin.addMemberSql(uuidv7(now + 2), user.username, 'member', now, uuidv7(now)))).toEqual([
      [],
      [expect.objectContaining({ uuid: user.uuid })],
      [],
      [],
    ]);
  });

  it('create-client stores only the hash of a key the API then accepts; revoke-client ends it and its sessions; list-orgs counts them', async () => {
    const now = Date.now();
    const orgId = uuidv7(now);
    await run(admin.createOrgSql('Clients', orgId, now, uuidv7(now)));
    const key = await newApiKey();
    const clientId = uuidv7(now + 1);
    const [[client]] = await run(admin.createClientSql(orgId, 'CLI client', { id: clientId, ...key }, now, uuidv7(now)));
    expect(client).toEqual({ id: clientId, organization_id: orgId, name: 'CLI client', key_prefix: key.key.slice(0, 11) });
    expect(JSON.stringify(await env.DB.prepare('select * from clients where id = ?').bind(clientId).first())).not.toContain(key.key);
    const user = await signedIn();
    expect((await get('/user/me', { token: user.access, headers: { 'x-api-key': key.key } })).status).toBe(200);
    const orgs = (await run(admin.listOrgsSql()))[0];
    expect(orgs.find((o) => o.id === orgId)).toEqual({ id: orgId, name: 'Clients', created_at: now, members: 0, clients: 1 });

    const [, revoked, [gone]] = await run(admin.revokeClientSql(clientId.toUpperCase(), now + 5, uuidv7(now + 5)));
    expect(gone).toEqual({ id: clientId, organization_id: orgId });
    expect(revoked).toEqual([]);
    expect((await get('/user/me', { token: user.access, headers: { 'x-api-key': key.key } })).status).toBe(401);
    expect((await eventsOf('client.revoked', orgId)).results).toHaveLength(1);
    expect(await run(admin.revokeClientSql(clientId, now + 6, uuidv7(now + 6)))).toEqual([[], [], []]);
    expect(await run(admin.createClientSql(uuidv7(now + 9), 'x', { id: uuidv7(now + 9), ...key }, now, uuidv7(now)))).toEqual([[], []]);
  });

  it('refuses bad ids, names and org roles before any SQL', () => {
    expect(() => admin.createOrgSql('', uuidv7(1), 1, uuidv7(1))).toThrow(admin.AdminInputError);
    expect(() => admin.createOrgSql('x'.repeat(101), uuidv7(1), 1, uuidv7(1))).toThrow(admin.AdminInputError);
    expect(() => admin.createOrgSql('a\u0000b', uuidv7(1), 1, uuidv7(1))).toThrow(admin.AdminInputError);
    for (const id of HOSTILE) {
      expect(() => admin.addMemberSql(id, 'alice', 'member', 1, uuidv7(1))).toThrow(admin.AdminInputError);
      expect(() => admin.revokeClientSql(id, 1, uuidv7(1))).toThrow(admin.AdminInputError);
      expect(() => admin.addMemberSql(uuidv7(1), 'alice', id, 1, uuidv7(1))).toThrow(admin.AdminInputError);
    }
    expect(() => admin.addMemberSql(uuidv7(1), 'alice', 'owner', 1, uuidv7(1))).toThrow(/Not an org role/);
    const id = uuidv7(1);
    expect(parseCommandLine(['add-member', id, 'alice', 'admin'])).toMatchObject({ command: 'add-member', args: [id, 'alice', 'admin'] });
    expect(() => parseCommandLine(['create-client', uuidv7(1)])).toThrow(/create-client takes 2 arguments, got 1/);
    expect(parseCommandLine(['list-orgs', '--remote'])).toMatchObject({ command: 'list-orgs', where: ['--remote'] });
  });
});
