import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createUser, PASSWORD } from '../helpers/factories';
import { mailbox, plantToken, tokenIn } from '../helpers/email';
import { PageClient } from '../helpers/pages';

const NEW_PASSWORD = 'Juniper lantern orbit 5521 meadow';
const withMail = (box = mailbox(), vars: Record<string, string> = {}) => ({ box, b: new PageClient({ env: { ...env, EMAIL: box.binding, ...vars } }) });

describe('/forgot-password', () => {
  it('answers a known and an unknown address with the same page, and mails only the known one', async () => {
    const user = await createUser();
    const { box, b } = withMail();
    await b.get('/forgot-password');
    const known = await b.post('/forgot-password', { email: user.email });
    const unknown = await b.post('/forgot-password', { email: `nobody-${crypto.randomUUID().slice(0, 8)}@example.com` });
    expect(known.res.status).toBe(200);
    expect(known.html).toBe(unknown.html);
    expect(known.html).toContain('If an account uses that address');
    expect(box.sent.map((m) => m.to)).toEqual([user.email]);
  });

  it('refuses a cross-site request with 403 and sends nothing', async () => {
    const user = await createUser();
    const { box, b } = withMail();
    await b.get('/forgot-password');
    expect((await b.post('/forgot-password', { email: user.email }, { origin: 'https://evil.example' })).res.status).toBe(403);
    expect(box.sent).toEqual([]);
  });
});

describe('/reset-password', () => {
  it('shows a form for the link (consuming nothing), then sets the new password on the button press', async () => {
    const user = await createUser();
    const { box, b } = withMail();
    await b.get('/forgot-password');
    await b.post('/forgot-password', { email: user.email });
    const link = /https?:\/\/\S+\/reset-password\?token=[A-Za-z0-9_-]+/.exec(box.sent[0]!.text)![0];
    const path = new URL(link).pathname + new URL(link).search;
    const form = await b.get(path);
    expect(form.res.status).toBe(200);
    expect(form.html).toMatch(/id="reset-password" name="new_password" type="password" autocomplete="new-password"/);
    // Fetching the link again (a mail scanner) changes nothing.
    expect((await new PageClient().get(path)).res.status).toBe(200);
    const { res } = await b.post('/reset-password', { token: tokenIn(link), new_password: NEW_PASSWORD });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login?notice=password_reset');
    expect((await new PageClient().logIn(user.username, NEW_PASSWORD)).res.status).toBe(303);
    expect((await new PageClient().logIn(user.username, PASSWORD)).res.status).toBe(400);
  });

  it('answers a bad link with a 400 page, and a weak password with 422 on its field', async () => {
    const user = await createUser();
    const b = new PageClient();
    expect((await b.get('/reset-password?token=no')).res.status).toBe(400);
    const token = await plantToken(user, 'reset');
    await b.get(`/reset-password?token=${token}`);
    const weak = await b.post('/reset-password', { token, new_password: 'password1234567' });
    expect(weak.res.status).toBe(422);
    expect(weak.html).toContain('id="reset-password-error"');
    const used = await b.post('/reset-password', { token: 'A'.repeat(43), new_password: NEW_PASSWORD });
    expect(used.res.status).toBe(400);
    expect(used.res.headers.get('content-type')).toMatch(/^text\/html/);
  });
});

describe('/verify-email and the email on /account', () => {
  it('confirms an address only on the button press', async () => {
    const user = await createUser();
    const token = await plantToken(user, 'verify');
    const b = new PageClient();
    const shown = await b.get(`/verify-email?token=${token}`);
    expect(shown.html).toContain('Confirm your email address');
    const verified = async () =>
      (await env.DB.prepare('select email_verified from users where uuid = ?').bind(user.uuid).first<{ email_verified: number }>())!.email_verified;
    expect(await verified()).toBe(0);
    const done = await b.post('/verify-email', { token });
    expect(done.res.status).toBe(200);
    expect(done.html).toContain('Your email address is confirmed.');
    expect(await verified()).toBe(1);
  });

  it('shows the verification state, resends the link, and changes the address through a confirmation at the new one', async () => {
    const user = await createUser();
    const { box, b } = withMail();
    await b.logIn(user.username, user.password);
    const account = await b.get('/account');
    expect(account.html).toContain('<span class="badge warn">not verified</span>');
    expect((await b.post('/account/email/verification', {})).res.headers.get('location')).toBe('/account?notice=verification_sent');
    expect(box.to(user.email).length).toBeGreaterThanOrEqual(1);
    const next = `new-${user.username}@example.com`;
    const wrong = await b.post('/account/email', { email: next, current_password: 'not my password, sorry' });
    expect(wrong.res.status).toBe(422);
    const { res } = await b.post('/account/email', { email: next, current_password: user.password });
    expect(res.headers.get('location')).toBe('/account?notice=email_change_sent');
    const confirm = box.to(next)[0]!;
    await b.get(`/verify-email?token=${tokenIn(confirm.text)}`);
    expect((await b.post('/verify-email', { token: tokenIn(confirm.text) })).html).toContain('Your email address is changed.');
    expect((await b.get('/account')).html).toContain(next);
  });

  it('tells a person with an unverified address to verify when REQUIRE_VERIFIED_EMAIL is on', async () => {
    const user = await createUser();
    const { b } = withMail(mailbox(), { REQUIRE_VERIFIED_EMAIL: 'on' });
    const { res, html } = await b.logIn(user.username, user.password);
    expect(res.status).toBe(403);
    expect(html).toContain('Verify your email address first');
    expect(b.cookies.has('__Host-session')).toBe(false);
  });
});
