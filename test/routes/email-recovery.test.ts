import { env } from 'cloudflare:workers';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { body, post } from '../helpers/api';
import { callMail, mailbox, plantToken, tokenIn } from '../helpers/email';
import { createUser, login, signedIn } from '../helpers/factories';
import { remoteStandIn } from '../helpers/photos';
import { expectProblem } from '../helpers/problems';

/** POST /password/forgot and POST /password/reset, observed at the EMAIL binding's builder call. */
const PUBLIC_URL = 'https://id.example.org';
const VARS = { PUBLIC_URL, SERVICE_NAME: 'Acme ID' };
const forgot = (box = mailbox(), email: string, headers: Record<string, string> = {}) =>
  callMail(box, 'POST', '/password/forgot', { json: { email }, headers: { host: 'evil.example', ...headers } }, VARS);
const reset = (token: string, newPassword: string, box = mailbox()) =>
  callMail(box, 'POST', '/password/reset', { json: { token, new_password: newPassword } }, VARS);
const NEW_PASSWORD = 'a brand new unusual passphrase for resets';
const row = <T>(sql: string, ...args: unknown[]) =>
  env.DB.prepare(sql)
    .bind(...args)
    .first<T>();
const events = async (uuid: string) =>
  (await env.DB.prepare('select event from audit_events where subject_uuid = ? order by id').bind(uuid).all<{ event: string }>()).results.map((r) => r.event);

afterEach(() => vi.restoreAllMocks());

describe('POST /password/forgot', () => {
  it('answers a known and an unknown address identically (status, body, headers) and mails only the known one, after the response', async () => {
    const user = await createUser();
    const box = mailbox();
    const known = await forgot(box, user.email);
    const unknown = await forgot(box, `nobody-${crypto.randomUUID().slice(0, 8)}@example.com`);
    expect(known.status).toBe(202);
    expect(unknown.status).toBe(202);
    expect(await known.text()).toBe(await unknown.text());
    expect([...known.headers]).toEqual([...unknown.headers]);
    expect(box.sent).toHaveLength(1);
    const [message] = box.sent;
    expect(message!.to).toBe(user.email);
    expect(message!.from).toEqual({ name: 'Acme ID', email: 'noreply@userauth.example' });
    expect(message!.subject).toContain('Acme ID');
    // The full link in the plain text, built from PUBLIC_URL and never from the request's Host.
    expect(message!.text).toMatch(new RegExp(`${PUBLIC_URL}/reset-password\\?token=[A-Za-z0-9_-]{43}`));
    expect(message!.html).toContain(`${PUBLIC_URL}/reset-password?token=`);
    expect(`${message!.text}${message!.html}`).not.toContain('evil.example');
    expect(message!.text).toMatch(/If it was not you/);
    expect(`${message!.text}${message!.html}`).not.toContain(user.password);
    // Stored as a hash only.
    const token = tokenIn(message!.text);
    expect(await row('select 1 as x from email_tokens where hash = ? or hash = ?', token, token)).toBeNull();
    expect(await events(user.uuid)).toContain('password.reset_requested');
  });

  it('does the same D1 work for an unknown address as for a known one: one round trip before the answer, one after it', async () => {
    const { countingD1 } = await import('../helpers/d1-counter');
    const counter = countingD1(env.DB);
    const { createExecutionContext, waitOnExecutionContext } = await import('cloudflare:test');
    const worker = (await import('../../src/index')).default;
    const { buildRequest } = await import('../helpers/api');
    const shapes: string[][] = [];
    for (const email of [(await createUser()).email, `nobody-${crypto.randomUUID().slice(0, 8)}@example.com`]) {
      const ctx = createExecutionContext();
      counter.reset();
      await worker.fetch(buildRequest('POST', '/password/forgot', { json: { email } }), { ...env, DB: counter.db, EMAIL: mailbox().binding } as never, ctx);
      await waitOnExecutionContext(ctx);
      shapes.push(counter.sent());
      expect(counter.count()).toBe(2);
    }
    expect(shapes[0]).toEqual(shapes[1]);
  });

  it('limits messages per address, known or not: the sixth in an hour is 429 with Retry-After, and sends nothing', async () => {
    for (const email of [(await createUser()).email, `nobody-${crypto.randomUUID().slice(0, 8)}@example.com`]) {
      const box = mailbox();
      for (let i = 0; i < 5; i++) expect((await forgot(box, email)).status).toBe(202);
      const sentBefore = box.sent.length;
      const sixth = await forgot(box, email);
      await expectProblem(sixth, 429, 'email_throttled');
      expect(Number(sixth.headers.get('retry-after'))).toBeGreaterThan(3000);
      expect(box.sent).toHaveLength(sentBefore);
    }
  });

  it('limits requests per client IP, IPv6 by its /64 (the 11th in a minute is 429)', async () => {
    const net = `2001:db8:${crypto.randomUUID().slice(0, 4)}:${crypto.randomUUID().slice(0, 4)}`;
    for (let attempt = 0; attempt < 3; attempt++) {
      const window = Math.floor(Date.now() / 60_000);
      const statuses: number[] = [];
      for (let i = 0; i < 11; i++) {
        statuses.push((await forgot(mailbox(), `ip${i}-${crypto.randomUUID().slice(0, 6)}@example.com`, { 'cf-connecting-ip': `${net}::${i + 1}` })).status);
      }
      if (Math.floor(Date.now() / 60_000) !== window) continue;
      expect(statuses.slice(0, 10)).toEqual(Array(10).fill(202));
      expect(statuses[10]).toBe(429);
      return;
    }
  });

  it('sends through Resend when EMAIL_TRANSPORT=resend, with what the builder would have had', async () => {
    const user = await createUser();
    const seen = remoteStandIn(vi.spyOn, () => Response.json({ id: 'x' }));
    const box = mailbox();
    const res = await callMail(
      box,
      'POST',
      '/password/forgot',
      { json: { email: user.email } },
      { ...VARS, EMAIL_TRANSPORT: 'resend', RESEND_API_KEY: 're_test_key' },
    );
    expect(res.status).toBe(202);
    expect(box.sent).toHaveLength(0);
    expect(seen).toHaveLength(1);
    const { request, body: sent } = seen[0]!;
    expect(request.url).toBe('https://api.resend.com/emails');
    expect(request.method).toBe('POST');
    expect(request.headers.get('authorization')).toBe('Bearer re_test_key');
    const payload = JSON.parse(new TextDecoder().decode(sent)) as Record<string, unknown>;
    expect(payload).toMatchObject({ from: '"Acme ID" <noreply@userauth.example>', to: [user.email], subject: expect.stringContaining('Reset') });
    expect(payload.text).toMatch(new RegExp(`${PUBLIC_URL}/reset-password\\?token=`));
    expect(payload.html).toEqual(expect.any(String));
  });

  it('refuses EMAIL_TRANSPORT=resend without RESEND_API_KEY (fails closed: 503)', async () => {
    const res = await callMail(mailbox(), 'POST', '/password/forgot', { json: { email: 'a@example.com' } }, { EMAIL_TRANSPORT: 'resend' });
    await expectProblem(res, 503, 'misconfigured');
  });
});

describe('POST /password/reset', () => {
  it('sets the new password, revokes every session, moves the stamp on, verifies the address and sends a notice', async () => {
    const user = await signedIn();
    const other = await login(user);
    const box = mailbox();
    await forgot(box, user.email);
    const token = tokenIn(box.sent[0]!.text);
    const stampBefore = (await row<{ s: number }>('select security_stamp as s from users where uuid = ?', user.uuid))!.s;
    const res = await reset(token, NEW_PASSWORD, box);
    expect(res.status).toBe(204);
    expect((await post('/token', { form: { grant_type: 'refresh_token', refresh_token: other.refresh } })).status).toBe(400);
    expect((await post('/token', { form: { grant_type: 'password', username: user.username, password: user.password } })).status).toBe(400);
    expect((await post('/token', { form: { grant_type: 'password', username: user.username, password: NEW_PASSWORD } })).status).toBe(200);
    expect(
      await row(
        'select count(*) as n from sessions where user_uuid = ? and revoked_at is null and id in (select session_id from refresh_tokens where hash is not null)',
        user.uuid,
      ),
    ).toEqual({ n: 1 });
    expect((await row<{ s: number }>('select security_stamp as s from users where uuid = ?', user.uuid))!.s).toBe(stampBefore + 1);
    expect(await row('select email_verified as v from users where uuid = ?', user.uuid)).toEqual({ v: 1 });
    const notice = box.sent.at(-1)!;
    expect(notice.to).toBe(user.email);
    expect(notice.subject).toMatch(/password was reset/);
    expect(notice.text).not.toContain(NEW_PASSWORD);
    expect(await events(user.uuid)).toEqual(expect.arrayContaining(['password.reset_requested', 'password.reset']));
  });

  it('is single use, and a newer reset link voids the older', async () => {
    const user = await createUser();
    const box = mailbox();
    await forgot(box, user.email);
    await forgot(box, user.email);
    const [older, newer] = box.sent.map((m) => tokenIn(m.text));
    await expectProblem(await reset(older!, NEW_PASSWORD), 400, 'email_token_invalid');
    expect((await reset(newer!, NEW_PASSWORD)).status).toBe(204);
    await expectProblem(await reset(newer!, `${NEW_PASSWORD} again`), 400, 'email_token_invalid');
  });

  it('kills every other outstanding reset link of the user', async () => {
    const user = await createUser();
    const first = await plantToken(user, 'reset');
    const second = await plantToken(user, 'reset');
    expect((await reset(first, NEW_PASSWORD)).status).toBe(204);
    await expectProblem(await reset(second, NEW_PASSWORD), 400, 'email_token_invalid');
  });

  it('has exactly one winner among concurrent uses of one link', async () => {
    const user = await createUser();
    const token = await plantToken(user, 'reset');
    const statuses = (await Promise.all(Array.from({ length: 5 }, (_, i) => reset(token, `${NEW_PASSWORD} ${i}`)))).map((r) => r.status);
    expect(statuses.filter((s) => s === 204)).toHaveLength(1);
    expect(statuses.filter((s) => s === 400)).toHaveLength(4);
    expect(await events(user.uuid)).toEqual(['user.signed_up', 'password.reset']);
  });

  it('answers one and the same 400 to an unknown, expired, used or wrong-purpose token', async () => {
    const user = await createUser();
    const expired = await plantToken(user, 'reset');
    await env.DB.prepare("update email_tokens set expires_at = 0 where user_uuid = ? and purpose = 'reset'").bind(user.uuid).run();
    const verify = await plantToken(user, 'verify');
    const change = await plantToken(user, 'change', `c-${user.email}`);
    const bodies = [];
    for (const token of ['nonsense', 'A'.repeat(43), expired, verify, change]) {
      const res = await reset(token, NEW_PASSWORD);
      await expectProblem(res.clone(), 400, 'email_token_invalid');
      bodies.push(await res.text());
    }
    expect(new Set(bodies).size).toBe(1);
  });

  it('applies the password policy (422), keeping the link usable', async () => {
    const user = await createUser();
    const token = await plantToken(user, 'reset');
    const refused = await expectProblem(await reset(token, 'password'), 422, 'password_rejected');
    expect(refused.errors?.[0]?.path).toBe('new_password');
    expect((await reset(token, NEW_PASSWORD)).status).toBe(204);
  });

  it('expires reset links after 30 minutes', async () => {
    const user = await createUser();
    const token = await plantToken(user, 'reset');
    const { expires, created } = (await row<{ expires: number; created: number }>(
      "select expires_at as expires, created_at as created from email_tokens where user_uuid = ? and purpose = 'reset'",
      user.uuid,
    ))!;
    expect(expires - created).toBe(30 * 60_000);
    await env.DB.prepare("update email_tokens set expires_at = ? where user_uuid = ? and purpose = 'reset'")
      .bind(Date.now() - 1, user.uuid)
      .run();
    await expectProblem(await reset(token, NEW_PASSWORD), 400, 'email_token_invalid');
    expect(body).toBeDefined();
  });
});
