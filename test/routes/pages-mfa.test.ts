import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createUser } from '../helpers/factories';
import { codeFor, forgetLastStep, mfaToken, mfaUser } from '../helpers/mfa';
import { PageClient } from '../helpers/pages';

const hiddenToken = (html: string) => /name="mfa_token" value="([^"]+)"/.exec(html)?.[1] ?? '';

describe('the login page with a second factor', () => {
  it('asks for the code on its own page after a right password, and makes no session until it is right', async () => {
    const user = await mfaUser();
    const b = new PageClient();
    const { res, html } = await b.logIn(user.username, user.password);
    expect(res.status).toBe(200);
    expect(html).toContain('Two-step verification');
    expect(html).toMatch(/<input id="login-code" name="code" type="text" autocomplete="one-time-code"/);
    expect(hiddenToken(html)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(b.cookies.has('__Host-session')).toBe(false);
    const wrong = await b.post('/login/code', { mfa_token: hiddenToken(html), code: (await codeFor(user.secret)) === '000000' ? '111111' : '000000' });
    expect(wrong.res.status).toBe(400);
    expect(wrong.html).toContain('That code did not work');
    expect(b.cookies.has('__Host-session')).toBe(false);
    const right = await b.post('/login/code', { mfa_token: hiddenToken(html), code: await codeFor(user.secret) });
    expect(right.res.status).toBe(303);
    expect(right.res.headers.get('location')).toBe('/account');
    const session = await env.DB.prepare('select amr, cookie_hash from sessions where id = ?').bind(b.cookies.get('__Host-session')!.split('.')[0]).first();
    expect(session).toMatchObject({ amr: 'pwd otp', cookie_hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect((await b.get('/account')).html).toContain('On <span class="badge">authenticator app</span>');
  });

  it('takes a recovery code instead, and keeps "remember me" from the first step', async () => {
    const user = await mfaUser();
    const b = new PageClient();
    const { html } = await b.logIn(user.username, user.password, { remember: '1', return_to: '/account?x=1' });
    const { res } = await b.post('/login/code', { mfa_token: hiddenToken(html), code: user.recoveryCodes[2]!, return_to: '/account?x=1' });
    expect(res.headers.get('location')).toBe('/account?x=1');
    expect(res.headers.getSetCookie().find((c) => c.startsWith('__Host-session='))).toMatch(/Max-Age=/);
  });

  it('does not take an mfa_token of the token endpoint (each door finishes its own login)', async () => {
    const user = await mfaUser();
    const b = new PageClient();
    await b.get('/login');
    const { res } = await b.post('/login/code', { mfa_token: await mfaToken(user), code: await codeFor(user.secret) });
    expect(res.status).toBe(400);
  });

  it('refuses the code form without this browser’s CSRF token', async () => {
    const user = await mfaUser();
    const b = new PageClient();
    const { html } = await b.logIn(user.username, user.password);
    expect((await b.post('/login/code', { mfa_token: hiddenToken(html), code: await codeFor(user.secret) }, { csrf: null })).res.status).toBe(403);
  });
});

describe('setting up two-step verification on /account', () => {
  it('shows a server-rendered QR code and the key, turns on with a code, shows the recovery codes once, and turns off', async () => {
    const user = await createUser();
    const b = new PageClient();
    await b.logIn(user.username, user.password);
    await b.get('/account');
    const wrongPassword = await b.post('/account/mfa/setup', { current_password: 'not it, not it at all' });
    expect(wrongPassword.res.status).toBe(422);
    const setup = await b.post('/account/mfa/setup', { current_password: user.password });
    expect(setup.res.status).toBe(200);
    expect(setup.html).toMatch(/<figure class="qr" role="img" aria-label="QR code of the key below"><svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    const secret = /name="secret" value="([A-Z2-7]+)"/.exec(setup.html)![1]!;
    expect(setup.html).toContain(secret.match(/.{1,4}/g)!.join(' '));
    expect(setup.res.headers.get('content-security-policy')).toContain("script-src 'none'");
    const on = await b.post('/account/mfa/activate', { code: await codeFor(secret), secret, username: user.username });
    expect(on.res.status).toBe(200);
    const codes = [...on.html.matchAll(/<li><code>([2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4})<\/code><\/li>/g)].map((m) => m[1]);
    expect(codes).toHaveLength(10);
    expect((await b.get('/account')).html).not.toContain(codes[0]!);
    await forgetLastStep(user.uuid);
    const off = await b.post('/account/mfa/disable', { current_password: user.password, code: codes[0]! });
    expect(off.res.headers.get('location')).toBe('/account?notice=mfa_off');
    expect((await env.DB.prepare('select mfa_enabled from users where uuid = ?').bind(user.uuid).first<{ mfa_enabled: number }>())!.mfa_enabled).toBe(0);
  });

  it('shows the same enrolment again after a wrong activation code', async () => {
    const user = await createUser();
    const b = new PageClient();
    await b.logIn(user.username, user.password);
    await b.get('/account');
    const setup = await b.post('/account/mfa/setup', { current_password: user.password });
    const secret = /name="secret" value="([A-Z2-7]+)"/.exec(setup.html)![1]!;
    const right = await codeFor(secret);
    const again = await b.post('/account/mfa/activate', { code: right === '123456' ? '654321' : '123456', secret, username: user.username });
    expect(again.res.status).toBe(422);
    expect(again.html).toContain(`name="secret" value="${secret}"`);
  });
});
