import { env } from 'cloudflare:workers';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { body, del, get, post } from '../helpers/api';
import { createUser, login, signedIn } from '../helpers/factories';
import { codeFor, forgetLastStep, mfaToken, mfaUser, otpGrant, recoveryGrant } from '../helpers/mfa';
import { fetchWith } from '../helpers/photos';
import { expectProblem } from '../helpers/problems';

const count = async (sql: string, ...binds: unknown[]) =>
  (await env.DB.prepare(sql)
    .bind(...binds)
    .first<{ n: number }>())!.n;
const sessionsOf = (uuid: string) => count('select count(*) as n from sessions where user_uuid = ?', uuid);
const loginsOf = (uuid: string) => count('select count(*) as n from logins where user_uuid = ?', uuid);
const wrongOf = async (secret: string) => {
  const right = new Set([await codeFor(secret, -1), await codeFor(secret), await codeFor(secret, 1)]);
  for (let i = 0; ; i += 1) {
    const candidate = String(i).padStart(6, '0');
    if (!right.has(candidate)) return candidate;
  }
};

describe('enrolment and activation', () => {
  it('needs the current password, and answers a pending seed with its otpauth URI, stored only sealed', async () => {
    const user = await signedIn();
    await expectProblem(await post('/user/me/mfa/totp', { token: user.access, json: { current_password: 'not the password at all' } }), 422, 'wrong_password');
    const res = await post('/user/me/mfa/totp', { token: user.access, json: { current_password: user.password } });
    expect(res.status).toBe(200);
    const enrolment = await body<{ secret: string; otpauth_uri: string }>(res);
    expect(enrolment.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(enrolment.otpauth_uri).toBe(`otpauth://totp/UserAuth:${user.username}?secret=${enrolment.secret}&issuer=UserAuth&algorithm=SHA1&digits=6&period=30`);
    const row = await env.DB.prepare('select secret, activated_at from totp_factors where user_uuid = ?')
      .bind(user.uuid)
      .first<{ secret: string; activated_at: null }>();
    expect(row!.activated_at).toBeNull();
    expect(row!.secret).toMatch(/^v1\.test\./);
    expect(row!.secret).not.toContain(enrolment.secret);
    expect((await body<{ mfa_enabled: boolean }>(await get('/user/me', { token: user.access }))).mfa_enabled).toBe(false);
  });

  it('answers 503 naming MFA_ENCRYPTION_KEY when it is not set, and stores nothing', async () => {
    const user = await signedIn();
    const res = await fetchWith(
      { MFA_ENCRYPTION_KEY: '' },
      new Request('https://userauth.test/user/me/mfa/totp', {
        method: 'POST',
        headers: { authorization: `Bearer ${user.access}`, 'content-type': 'application/json' },
        body: JSON.stringify({ current_password: user.password }),
      }),
    );
    const problem = await expectProblem(res, 503, 'misconfigured');
    expect(problem.detail).toContain('MFA_ENCRYPTION_KEY');
    expect(await count('select count(*) as n from totp_factors where user_uuid = ?', user.uuid)).toBe(0);
  });

  it('turns on with a current code of the pending seed: ten recovery codes shown once, stored hashed, mfa_enabled', async () => {
    const user = await signedIn();
    const { secret } = await body<{ secret: string }>(await post('/user/me/mfa/totp', { token: user.access, json: { current_password: user.password } }));
    await expectProblem(await post('/user/me/mfa/totp/activate', { token: user.access, json: { code: await wrongOf(secret) } }), 422, 'wrong_code');
    const res = await post('/user/me/mfa/totp/activate', { token: user.access, json: { code: await codeFor(secret) } });
    expect(res.status).toBe(200);
    const { recovery_codes } = await body<{ recovery_codes: string[] }>(res);
    expect(recovery_codes).toHaveLength(10);
    const stored = await env.DB.prepare('select hash from recovery_codes where user_uuid = ?').bind(user.uuid).all<{ hash: string }>();
    expect(stored.results).toHaveLength(10);
    for (const code of recovery_codes) expect(JSON.stringify(stored.results)).not.toContain(code.replace(/-/g, ''));
    expect((await body<{ mfa_enabled: boolean }>(await get('/user/me', { token: user.access }))).mfa_enabled).toBe(true);
    // A second enrolment does not replace an active factor.
    await expectProblem(await post('/user/me/mfa/totp', { token: user.access, json: { current_password: user.password } }), 409, 'mfa_enabled');
  });

  it('refuses activation without a pending enrolment', async () => {
    const user = await signedIn();
    await expectProblem(await post('/user/me/mfa/totp/activate', { token: user.access, json: { code: '123456' } }), 409, 'mfa_not_enrolled');
  });
});

describe('the token endpoint with a second factor', () => {
  it('answers a right password with 403 mfa_required and makes no session, login record or KV record', async () => {
    const user = await mfaUser();
    const sessionsBefore = await sessionsOf(user.uuid);
    const loginsBefore = await loginsOf(user.uuid);
    const res = await post('/token', { form: { grant_type: 'password', username: user.username, password: user.password } });
    expect(res.status).toBe(403);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const answer = await body<{ error: string; error_description: string; mfa_token: string }>(res);
    expect(answer).toEqual({ error: 'mfa_required', error_description: expect.any(String), mfa_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/) });
    expect(await sessionsOf(user.uuid)).toBe(sessionsBefore);
    expect(await loginsOf(user.uuid)).toBe(loginsBefore);
    expect(await count('select count(*) as n from mfa_challenges where hash = ?', answer.mfa_token)).toBe(0);
  });

  it('still answers a wrong password with invalid_grant, exactly as for a user without a second factor', async () => {
    const user = await mfaUser();
    const res = await post('/token', { form: { grant_type: 'password', username: user.username, password: 'wrong wrong wrong wrong' } });
    expect(res.status).toBe(400);
    expect((await body(res)).error).toBe('invalid_grant');
  });

  it('issues the tokens for a current code, with amr pwd+otp kept across refreshes, and writes the login record', async () => {
    const user = await mfaUser();
    const loginsBefore = await loginsOf(user.uuid);
    const res = await otpGrant(await mfaToken(user), await codeFor(user.secret));
    expect(res.status).toBe(200);
    const tokens = await body<{ access_token: string; refresh_token: string }>(res);
    expect(decodeJwt(tokens.access_token).amr).toEqual(['pwd', 'otp']);
    expect(await loginsOf(user.uuid)).toBe(loginsBefore + 1);
    const refreshed = await body<{ access_token: string }>(
      await post('/token', { form: { grant_type: 'refresh_token', refresh_token: tokens.refresh_token } }),
    );
    expect(decodeJwt(refreshed.access_token).amr).toEqual(['pwd', 'otp']);
    expect((await get('/user/me', { token: refreshed.access_token })).status).toBe(200);
  });

  it('refuses a code already accepted for the account (replay), even on a new mfa_token', async () => {
    const user = await mfaUser();
    const code = await codeFor(user.secret);
    expect((await otpGrant(await mfaToken(user), code)).status).toBe(200);
    const replay = await otpGrant(await mfaToken(user), code);
    expect(replay.status).toBe(400);
    expect((await body(replay)).error).toBe('invalid_grant');
    // An earlier step than the accepted one is refused too.
    expect((await otpGrant(await mfaToken(user), await codeFor(user.secret, -1))).status).toBe(400);
  });

  it('uses an mfa_token once', async () => {
    const user = await mfaUser();
    const token = await mfaToken(user);
    expect((await otpGrant(token, await codeFor(user.secret))).status).toBe(200);
    await forgetLastStep(user.uuid);
    expect((await otpGrant(token, await codeFor(user.secret))).status).toBe(400);
  });

  it('lets an mfa_token expire after five minutes', async () => {
    const user = await mfaUser();
    const token = await mfaToken(user);
    await env.DB.prepare('update mfa_challenges set expires_at = ? where user_uuid = ?')
      .bind(Date.now() - 1, user.uuid)
      .run();
    expect((await otpGrant(token, await codeFor(user.secret))).status).toBe(400);
  });

  it('kills the mfa_token after five wrong codes (the right one then fails too), counting them on the account throttle', async () => {
    const user = await mfaUser();
    const token = await mfaToken(user);
    const wrong = await wrongOf(user.secret);
    for (let i = 0; i < 5; i += 1) expect((await otpGrant(token, wrong)).status).toBeGreaterThanOrEqual(400);
    expect((await otpGrant(token, await codeFor(user.secret))).status).toBeGreaterThanOrEqual(400);
    // The password attempt and the wrong codes counted on the name's throttle: it now blocks.
    const res = await post('/token', { form: { grant_type: 'password', username: user.username, password: user.password } });
    expect(res.status).toBe(429);
    const failures = await env.DB.prepare("select failures from login_throttle where key = 'login:' || ?")
      .bind(user.username.toLowerCase())
      .first<{ failures: number }>();
    expect(failures!.failures).toBeGreaterThanOrEqual(5);
  });

  it('checks exactly five of thirty concurrent wrong codes', async () => {
    const user = await mfaUser();
    const token = await mfaToken(user);
    const wrong = await wrongOf(user.secret);
    const answers = await Promise.all(Array.from({ length: 30 }, () => otpGrant(token, wrong)));
    expect(answers.every((r) => r.status >= 400)).toBe(true);
    expect(await count('select attempts as n from mfa_challenges where user_uuid = ?', user.uuid)).toBe(5);
    const events = await count(
      "select count(*) as n from audit_events where subject_uuid = ? and event = 'login.failed' and detail like '%second_factor%'",
      user.uuid,
    );
    expect(events).toBeLessThanOrEqual(5);
  });

  it('makes exactly one session when the same code is sent twice at once', async () => {
    const user = await mfaUser();
    const code = await codeFor(user.secret);
    const [a, b] = [await mfaToken(user), await mfaToken(user)];
    const before = await sessionsOf(user.uuid);
    const answers = await Promise.all([otpGrant(a, code), otpGrant(b, code)]);
    expect(answers.map((r) => r.status).sort()).toEqual([200, 400]);
    expect(await sessionsOf(user.uuid)).toBe(before + 1);
  });

  it('accepts each recovery code once, and records its use', async () => {
    const user = await mfaUser();
    const [code] = user.recoveryCodes;
    const res = await recoveryGrant(await mfaToken(user), code!.toLowerCase());
    expect(res.status).toBe(200);
    expect(decodeJwt((await body<{ access_token: string }>(res)).access_token).amr).toEqual(['pwd', 'otp']);
    expect((await recoveryGrant(await mfaToken(user), code!)).status).toBe(400);
    expect(await count("select count(*) as n from audit_events where subject_uuid = ? and event = 'mfa.recovery_code_used'", user.uuid)).toBe(1);
  });

  it('refuses an mfa_token of another user’s login, a malformed one, and a grant without one', async () => {
    const user = await mfaUser();
    expect((await otpGrant('x'.repeat(43), await codeFor(user.secret))).status).toBe(400);
    expect((await otpGrant('short', await codeFor(user.secret))).status).toBe(400);
    expect((await post('/token', { form: { grant_type: 'http://auth0.com/oauth/grant-type/mfa-otp', otp: '123456' } })).status).toBe(400);
  });

  it('ends the challenge when the password changes in between (the security stamp moves on)', async () => {
    const user = await mfaUser();
    const token = await mfaToken(user);
    await env.DB.prepare('update users set security_stamp = security_stamp + 1 where uuid = ?').bind(user.uuid).run();
    expect((await otpGrant(token, await codeFor(user.secret))).status).toBe(400);
  });
});

describe('turning it off, new recovery codes, the admin reset', () => {
  it('disables with the password and a code, after which the password alone logs in', async () => {
    const user = await mfaUser();
    const { access } = await body<{ access_token: string }>(await otpGrant(await mfaToken(user), await codeFor(user.secret))).then((t) => ({
      access: t.access_token,
    }));
    await forgetLastStep(user.uuid);
    await expectProblem(
      await del('/user/me/mfa/totp', { token: access, json: { current_password: 'not it, not it, not it', code: await codeFor(user.secret) } }),
      422,
      'wrong_password',
    );
    await expectProblem(
      await del('/user/me/mfa/totp', { token: access, json: { current_password: user.password, code: await wrongOf(user.secret) } }),
      422,
      'wrong_code',
    );
    expect((await del('/user/me/mfa/totp', { token: access, json: { current_password: user.password, code: await codeFor(user.secret) } })).status).toBe(204);
    expect(await count('select count(*) as n from recovery_codes where user_uuid = ?', user.uuid)).toBe(0);
    expect(await count('select count(*) as n from totp_factors where user_uuid = ?', user.uuid)).toBe(0);
    expect((await login(user)).access).toBeTruthy();
  });

  it('disables with a recovery code instead of a TOTP code', async () => {
    const user = await mfaUser();
    const access = (await body<{ access_token: string }>(await otpGrant(await mfaToken(user), await codeFor(user.secret)))).access_token;
    expect((await del('/user/me/mfa/totp', { token: access, json: { current_password: user.password, code: user.recoveryCodes[3]! } })).status).toBe(204);
    expect((await body<{ mfa_enabled: boolean }>(await get('/user/me', { token: access }))).mfa_enabled).toBe(false);
  });

  it('regenerates the recovery codes for a current code: the old ones stop working', async () => {
    const user = await mfaUser();
    const access = (await body<{ access_token: string }>(await otpGrant(await mfaToken(user), await codeFor(user.secret, -1)))).access_token;
    const res = await post('/user/me/mfa/recovery-codes', { token: access, json: { code: await codeFor(user.secret) } });
    expect(res.status).toBe(200);
    const { recovery_codes } = await body<{ recovery_codes: string[] }>(res);
    expect(recovery_codes).toHaveLength(10);
    expect((await recoveryGrant(await mfaToken(user), user.recoveryCodes[0]!)).status).toBe(400);
    expect((await recoveryGrant(await mfaToken(user), recovery_codes[0]!)).status).toBe(200);
  });

  it('lets an admin remove a user’s second factor, revoking their sessions', async () => {
    const admin = await signedIn('admin');
    const user = await mfaUser();
    const access = (await body<{ access_token: string }>(await otpGrant(await mfaToken(user), await codeFor(user.secret)))).access_token;
    const other = await signedIn();
    expect((await del(`/user/${user.uuid}/mfa`, { token: other.access })).status).toBe(403);
    expect((await del(`/user/${user.uuid}/mfa`, { token: admin.access })).status).toBe(204);
    expect((await get('/user/me', { token: access })).status).toBe(401);
    expect((await login(user)).access).toBeTruthy();
    expect(await count("select count(*) as n from audit_events where subject_uuid = ? and event = 'mfa.reset'", user.uuid)).toBe(1);
    expect((await del(`/user/${crypto.randomUUID()}/mfa`, { token: admin.access })).status).toBe(404);
  });

  it('leaves a user without a factor alone (nothing to enrol against)', async () => {
    const user = await createUser();
    expect((await login(user)).access).toBeTruthy();
  });
});

describe('notices by email', () => {
  it('tells the user when the second factor goes on, off, a recovery code is used, and an admin removes it', async () => {
    const { callMail, mailbox } = await import('../helpers/email');
    const box = mailbox();
    const user = await signedIn();
    const { secret } = await body<{ secret: string }>(await post('/user/me/mfa/totp', { token: user.access, json: { current_password: user.password } }));
    const on = await callMail(box, 'POST', '/user/me/mfa/totp/activate', { token: user.access, json: { code: await codeFor(secret) } });
    const { recovery_codes } = await body<{ recovery_codes: string[] }>(on);
    const token = await mfaToken(user);
    const login = await callMail(box, 'POST', '/token', {
      form: { grant_type: 'http://auth0.com/oauth/grant-type/mfa-recovery-code', mfa_token: token, recovery_code: recovery_codes[0]! },
    });
    const access = (await body<{ access_token: string }>(login)).access_token;
    await forgetLastStep(user.uuid);
    expect(
      (await callMail(box, 'DELETE', '/user/me/mfa/totp', { token: access, json: { current_password: user.password, code: await codeFor(secret) } })).status,
    ).toBe(204);
    const again = await body<{ secret: string }>(await post('/user/me/mfa/totp', { token: access, json: { current_password: user.password } }));
    await post('/user/me/mfa/totp/activate', { token: access, json: { code: await codeFor(again.secret, 1) } });
    const admin = await signedIn('admin');
    expect((await callMail(box, 'DELETE', `/user/${user.uuid}/mfa`, { token: admin.access })).status).toBe(204);
    expect(box.to(user.email).map((m) => m.subject.split(' — ')[0])).toEqual([
      'Two-step verification is on',
      'A recovery code was used',
      'Two-step verification is off',
      'Two-step verification was removed',
    ]);
    for (const m of box.sent) {
      expect(m.text).toContain('If it was not you');
      expect(m.text).not.toContain(secret);
      expect(m.text).not.toContain(recovery_codes[0]!);
    }
  });
});
