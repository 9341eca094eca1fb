import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { UserSchema } from '../../src/schemas/user';
import { body, post } from '../helpers/api';
import { PASSWORD } from '../helpers/factories';
import { expectProblem } from '../helpers/problems';

let n = 0;
const run = crypto.randomUUID().slice(0, 6);

/** A valid sign-up body, unique within this file. */
function signUpBody(extra: Record<string, string> = {}) {
  n += 1;
  const username = `s${run}_${n}`;
  return { username, email: `${username}@example.org`, password: PASSWORD, name: 'Grace', surname: 'Hopper', ...extra };
}

const storedUsers = async (username: string) =>
  (await env.DB.prepare('select count(*) as n from users where username_key = ?').bind(username.toLowerCase()).first<{ n: number }>())!.n;

describe('POST /user', () => {
  it('creates a normal user from JSON and answers 201 with the User, a Location and no hash', async () => {
    const input = signUpBody({ city: 'Arlington', organization: 'US Navy', designation: 'Rear Admiral', mobile: '+1 555 0100' });
    const res = await post('/user', { json: input });
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const user = UserSchema.parse(await body(res)); // strict: an extra field (a hash) would throw
    expect(res.headers.get('location')).toBe(`/user/${user.uuid}`);
    expect(user).toMatchObject({
      username: input.username,
      email: input.email,
      role: 'normal',
      disabled: false,
      city: 'Arlington',
      mobile: '+1 555 0100',
      last_login_at: null,
      mfa_enabled: false,
    });
    expect(JSON.stringify(user)).not.toMatch(/hash|pbkdf2|password/i);
    const row = await env.DB.prepare('select password_hash from users where uuid = ?').bind(user.uuid).first<{ password_hash: string }>();
    expect(row!.password_hash).toMatch(/^pbkdf2-sha512\$10000\$[0-9a-f]{12}\$/);
  });

  it('accepts application/x-www-form-urlencoded with the same rules', async () => {
    const input = signUpBody({ confirm_password: PASSWORD });
    const res = await post('/user', { form: input });
    expect(res.status).toBe(201);
    expect(UserSchema.parse(await body(res))).toMatchObject({ username: input.username, role: 'normal' });
  });

  it('answers 400 when a form field is repeated', async () => {
    const input = signUpBody();
    const form = `${new URLSearchParams(input)}&username=other_${n}`;
    const res = await post('/user', { body: form, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    await expectProblem(res, 400);
  });

  it('answers 409 when the username is taken in another case', async () => {
    const first = signUpBody();
    expect((await post('/user', { json: first })).status).toBe(201);
    const res = await post('/user', { json: { ...signUpBody(), username: first.username.toUpperCase() } });
    const problem = await expectProblem(res, 409);
    expect(problem.errors).toEqual([{ path: 'username', message: 'is taken' }]);
  });

  it('answers 409 when the email is taken in another case', async () => {
    const first = signUpBody();
    expect((await post('/user', { json: first })).status).toBe(201);
    const res = await post('/user', { json: { ...signUpBody(), email: `  ${first.email.toUpperCase()} ` } });
    const problem = await expectProblem(res, 409);
    expect(problem.errors).toEqual([{ path: 'email', message: 'is already registered' }]);
  });

  it('treats NFC-equivalent emails as the same address', async () => {
    const local = `jose\u0301.${run}.${n}`;
    expect((await post('/user', { json: { ...signUpBody(), email: `${local}@example.org` } })).status).toBe(201);
    const precomposed = `${local.normalize('NFC').toUpperCase()}@EXAMPLE.org`;
    await expectProblem(await post('/user', { json: { ...signUpBody(), email: precomposed } }), 409);
  });

  it('answers 422 with an error per invalid field', async () => {
    const res = await post('/user', { json: { ...signUpBody(), username: 'ab', email: 'not-an-email', name: '', mobile: 'call me' } });
    const problem = await expectProblem(res, 422);
    expect(problem.errors!.map((e) => e.path).sort()).toEqual(['email', 'mobile', 'name', 'username']);
  });

  it('answers 422 when a required field is missing', async () => {
    const { surname: _surname, ...input } = signUpBody();
    const problem = await expectProblem(await post('/user', { json: input }), 422);
    expect(problem.errors!.map((e) => e.path)).toEqual(['surname']);
  });

  it('refuses control characters in profile fields', async () => {
    const problem = await expectProblem(await post('/user', { json: signUpBody({ city: 'Paris\u0000' }) }), 422);
    expect(problem.errors!.map((e) => e.path)).toEqual(['city']);
  });

  for (const [field, value] of [
    ['role', 'admin'],
    ['uuid', '019a8f3e-6b1c-7d2e-9f10-5a6b7c8d9e0f'],
    ['is_admin', 'true'],
  ] as const) {
    it(`refuses a ${field} field with 422 and creates nobody`, async () => {
      const input = { ...signUpBody(), [field]: value };
      const problem = await expectProblem(await post('/user', { json: input }), 422);
      expect(problem.errors).toEqual([{ path: field, message: 'is not a field that can be set here' }]);
      expect(await storedUsers(input.username)).toBe(0);
    });
  }

  it('answers 422 when confirm_password differs from password', async () => {
    const problem = await expectProblem(await post('/user', { json: signUpBody({ confirm_password: `${PASSWORD}!` }) }), 422);
    expect(problem.errors).toEqual([{ path: 'confirm_password', message: 'must equal password' }]);
  });

  it('counts the minimum length (15) in code points: 15 emoji pass, 14 fail', async () => {
    // Fifteen different ones: fifteen of the same would be refused as repetitive.
    const emoji = [...'🔐🦊🌋🎻🧭🪐🍄🚲🦉🌵🎲🧩🛶🪁🐙'];
    expect(emoji).toHaveLength(15);
    const ok = await post('/user', { json: signUpBody({ password: emoji.join('') }) });
    expect(ok.status).toBe(201);
    const problem = await expectProblem(await post('/user', { json: signUpBody({ password: emoji.slice(0, 14).join('') }) }), 422);
    expect(problem.errors).toEqual([{ path: 'password', message: 'must be at least 15 characters' }]);
  });

  it('answers 422 when the password contains the username, in any case', async () => {
    const input = signUpBody();
    const problem = await expectProblem(await post('/user', { json: { ...input, password: `my name is ${input.username.toUpperCase()} ok` } }), 422);
    expect(problem.errors).toEqual([{ path: 'password', message: 'must not contain your username' }]);
  });

  it('answers 422 when the password contains the email address', async () => {
    const input = signUpBody();
    const email = `grace.${run}.${n}@navy.example`;
    const problem = await expectProblem(await post('/user', { json: { ...input, email, password: `mail: ${email.toUpperCase()}` } }), 422);
    expect(problem.errors).toEqual([{ path: 'password', message: 'must not contain your email address' }]);
  });

  it('answers 415 for text/plain', async () => {
    const res = await post('/user', { body: JSON.stringify(signUpBody()), headers: { 'content-type': 'text/plain' } });
    await expectProblem(res, 415);
  });

  it('answers 400 for malformed JSON', async () => {
    const res = await post('/user', { body: '{"username": "x",', headers: { 'content-type': 'application/json' } });
    await expectProblem(res, 400);
  });
});
