import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { body, get, post } from '../helpers/api';
import { callMail, mailbox, plantToken, tokenIn } from '../helpers/email';
import { createUser, login, PASSWORD, signedIn } from '../helpers/factories';
import { expectProblem } from '../helpers/problems';
import { testDeps } from '../helpers/deps';
import { cleanUp } from '../../src/services/cleanup';

/** Verification, resend, email change and REQUIRE_VERIFIED_EMAIL, observed at the EMAIL binding. */
const VARS = { PUBLIC_URL: 'https://id.example.org' };
const verify = (token: string, box = mailbox()) => callMail(box, 'POST', '/email/verify', { json: { token } }, VARS);
const verified = async (uuid: string) =>
  (await env.DB.prepare('select email_verified as v from users where uuid = ?').bind(uuid).first<{ v: number }>())!.v === 1;
const newName = () => `ev${crypto.randomUUID().slice(0, 8)}`;

describe('verification', () => {
  it('sign-up sends a verification link after the response; the User says email_verified false until it is used, once', async () => {
    const box = mailbox();
    const name = newName();
    const res = await callMail(
      box,
      'POST',
      '/user',
      { json: { username: name, email: `${name}@example.com`, password: PASSWORD, name: 'V', surname: 'E' } },
      VARS,
    );
    expect(res.status).toBe(201);
    const user = await body<{ uuid: string; email_verified: boolean }>(res);
    expect(user.email_verified).toBe(false);
    expect(box.sent).toHaveLength(1);
    expect(box.sent[0]!.to).toBe(`${name}@example.com`);
    expect(box.sent[0]!.text).toMatch(/https:\/\/id\.example\.org\/verify-email\?token=[A-Za-z0-9_-]{43}/);
    expect(box.sent[0]!.text).not.toContain(PASSWORD);
    const token = tokenIn(box.sent[0]!.text);
    expect((await verify(token)).status).toBe(204);
    expect(await verified(user.uuid)).toBe(true);
    const me = await body<{ email_verified: boolean }>(await get('/user/me', { token: (await login({ username: name, password: PASSWORD })).access }));
    expect(me.email_verified).toBe(true);
    await expectProblem(await verify(token), 400, 'email_token_invalid');
    const events = await env.DB.prepare("select count(*) as n from audit_events where subject_uuid = ? and event = 'email.verified'").bind(user.uuid).first();
    expect(events).toEqual({ n: 1 });
  });

  it('POST /user/me/email/verification sends a new link that voids the older; 409 once verified', async () => {
    const user = await signedIn();
    const older = await plantToken(user, 'verify');
    const box = mailbox();
    const res = await callMail(box, 'POST', '/user/me/email/verification', { token: user.access }, VARS);
    expect(res.status).toBe(202);
    expect(box.to(user.email)).toHaveLength(1);
    await expectProblem(await verify(older), 400, 'email_token_invalid');
    expect((await verify(tokenIn(box.sent[0]!.text))).status).toBe(204);
    await expectProblem(await callMail(box, 'POST', '/user/me/email/verification', { token: user.access }, VARS), 409, 'email_already_verified');
  });

  it('limits resends per user: the sixth in an hour is 429 with Retry-After', async () => {
    const user = await signedIn();
    const box = mailbox();
    for (let i = 0; i < 5; i++) expect((await callMail(box, 'POST', '/user/me/email/verification', { token: user.access }, VARS)).status).toBe(202);
    const sixth = await callMail(box, 'POST', '/user/me/email/verification', { token: user.access }, VARS);
    await expectProblem(sixth, 429, 'email_throttled');
    expect(Number(sixth.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(box.sent).toHaveLength(5);
  });

  it('has exactly one winner among concurrent uses, and refuses an expired link (24 h)', async () => {
    const user = await createUser();
    const token = await plantToken(user, 'verify');
    const statuses = (await Promise.all(Array.from({ length: 5 }, () => verify(token)))).map((r) => r.status);
    expect(statuses.sort()).toEqual([204, 400, 400, 400, 400]);
    const late = await createUser();
    const stale = await plantToken(late, 'verify');
    const { d } = (await env.DB.prepare(
      "select expires_at - created_at as d from email_tokens where user_uuid = ? and purpose = 'verify' order by created_at desc",
    )
      .bind(late.uuid)
      .first<{ d: number }>())!;
    expect(d).toBe(24 * 3_600_000);
    await env.DB.prepare('update email_tokens set expires_at = ? where user_uuid = ?')
      .bind(Date.now() - 1, late.uuid)
      .run();
    await expectProblem(await verify(stale), 400, 'email_token_invalid');
    expect(await verified(late.uuid)).toBe(false);
  });

  it('refuses a reset link on /email/verify with the same 400', async () => {
    const user = await createUser();
    await expectProblem(await verify(await plantToken(user, 'reset')), 400, 'email_token_invalid');
    expect(await verified(user.uuid)).toBe(false);
  });
});

describe('email change', () => {
  it('confirms at the new address, changes the email only then, and notifies the old one', async () => {
    const user = await signedIn();
    const next = `${newName()}@example.net`;
    const box = mailbox();
    const res = await callMail(box, 'POST', '/user/me/email', { token: user.access, json: { email: next, current_password: user.password } }, VARS);
    expect(res.status).toBe(202);
    expect(box.to(next)).toHaveLength(1);
    expect(box.to(user.email)).toHaveLength(0);
    expect((await body<{ email: string }>(await get('/user/me', { token: user.access }))).email).toBe(user.email);
    const confirmation = box.to(next)[0]!;
    expect(confirmation.text).toMatch(/https:\/\/id\.example\.org\/verify-email\?token=/);
    expect((await verify(tokenIn(confirmation.text), box)).status).toBe(204);
    const me = await body<{ email: string; email_verified: boolean }>(await get('/user/me', { token: user.access }));
    expect(me).toMatchObject({ email: next, email_verified: true });
    const notice = box.to(user.email)[0]!;
    expect(notice.subject).toMatch(/email address was changed/);
    expect(notice.text).toContain(next);
    expect(await env.DB.prepare("select count(*) as n from audit_events where subject_uuid = ? and event = 'email.changed'").bind(user.uuid).first()).toEqual({
      n: 1,
    });
  });

  it('answers 409 when the address was taken meanwhile, and changes nothing', async () => {
    const user = await signedIn();
    const next = `${newName()}@example.net`;
    const token = await plantToken(user, 'change', next);
    const name = newName();
    expect((await post('/user', { json: { username: name, email: next, password: PASSWORD, name: 'T', surname: 'K' } })).status).toBe(201);
    await expectProblem(await verify(token), 409, 'email_taken');
    expect((await body<{ email: string }>(await get('/user/me', { token: user.access }))).email).toBe(user.email);
  });

  it('refuses a wrong current password (422), a taken address (409), and PATCH still refuses email (422)', async () => {
    const user = await signedIn();
    const other = await createUser();
    const box = mailbox();
    await expectProblem(
      await callMail(box, 'POST', '/user/me/email', {
        token: user.access,
        json: { email: `${newName()}@example.net`, current_password: 'wrong password entirely' },
      }),
      422,
      'wrong_password',
    );
    await expectProblem(
      await callMail(box, 'POST', '/user/me/email', { token: user.access, json: { email: other.email, current_password: user.password } }),
      409,
      'email_taken',
    );
    expect(box.sent).toHaveLength(0);
    const { patch } = await import('../helpers/api');
    expect((await patch('/user/me', { token: user.access, json: { email: `${newName()}@example.net` } })).status).toBe(422);
  });

  it('expires change links after one hour', async () => {
    const user = await createUser();
    await plantToken(user, 'change', `${newName()}@example.net`);
    const { d } = (await env.DB.prepare("select expires_at - created_at as d from email_tokens where user_uuid = ? and purpose = 'change'")
      .bind(user.uuid)
      .first<{ d: number }>())!;
    expect(d).toBe(3_600_000);
  });
});

describe('REQUIRE_VERIFIED_EMAIL=on', () => {
  const grant = (username: string, password: string, vars: Record<string, string>) =>
    callMail(mailbox(), 'POST', '/token', { form: { grant_type: 'password', username, password } }, vars);

  it('refuses a right password for an unverified address with invalid_grant saying to verify, and makes no session', async () => {
    const user = await createUser();
    const res = await grant(user.username, user.password, { REQUIRE_VERIFIED_EMAIL: 'on' });
    expect(res.status).toBe(400);
    const error = await body<{ error: string; error_description: string }>(res);
    expect(error.error).toBe('invalid_grant');
    expect(error.error_description).toMatch(/[Vv]erify your email/);
    expect(await env.DB.prepare('select count(*) as n from sessions where user_uuid = ?').bind(user.uuid).first()).toEqual({ n: 0 });
    // A wrong password says nothing about verification.
    const wrong = await body<{ error_description: string }>(await grant(user.username, 'not the password at all', { REQUIRE_VERIFIED_EMAIL: 'on' }));
    expect(wrong.error_description).not.toMatch(/erify/);
    expect((await verify(await plantToken(user, 'verify'))).status).toBe(204);
    expect((await grant(user.username, user.password, { REQUIRE_VERIFIED_EMAIL: 'on' })).status).toBe(200);
  });

  it('is off by default', async () => {
    const user = await createUser();
    expect((await grant(user.username, user.password, {})).status).toBe(200);
  });
});

describe('the hourly cleanup', () => {
  it('deletes expired email tokens and ended message counters', async () => {
    const user = await createUser();
    await plantToken(user, 'reset');
    await env.DB.prepare('update email_tokens set expires_at = 1 where user_uuid = ?').bind(user.uuid).run();
    await env.DB.prepare('insert into email_throttle (key, window_start, count) values (?, 1, 3)').bind(`forgot:${crypto.randomUUID()}`).run();
    const deps = testDeps();
    const result = await cleanUp(deps.db, deps.config, Date.now());
    expect(result.emailTokens).toBeGreaterThanOrEqual(1);
    expect(result.emailCounters).toBeGreaterThanOrEqual(1);
    expect(await env.DB.prepare('select count(*) as n from email_tokens where user_uuid = ?').bind(user.uuid).first()).toEqual({ n: 0 });
  });
});
