import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { body, call, get, patch, post } from '../helpers/api';
import { PASSWORD, createUser, signedIn } from '../helpers/factories';
import { expectProblem } from '../helpers/problems';
import { roleOf } from '../helpers/photos';

/** Sends a body exactly as given (text or bytes) with a content type. */
const send = (method: string, path: string, payload: string | Uint8Array, opts: { token?: string; type?: string } = {}) =>
  call(method, path, { token: opts.token, body: payload, headers: { 'content-type': opts.type ?? 'application/json' } });

let n = 0;
const signUpFields = () => {
  n += 1;
  const username = `hyg${crypto.randomUUID().slice(0, 8)}${n}`;
  return { username, email: `${username}@example.com`, password: PASSWORD, name: 'Ada', surname: 'Lovelace' };
};
const signUpJson = (extra = '') => {
  const f = signUpFields();
  return { fields: f, text: `{"username":"${f.username}","email":"${f.email}","password":"${f.password}","name":"Ada","surname":"Lovelace"${extra}}` };
};
const userCount = async (username: string) =>
  (await env.DB.prepare('select count(*) as n from users where username = ?').bind(username).first<{ n: number }>())?.n;

describe('POST /user with hostile JSON', () => {
  it('answers 400 to a repeated key and creates nobody (no "last one wins" role)', async () => {
    const { fields, text } = signUpJson(',"name":"Eve"');
    const problem = await expectProblem(await send('POST', '/user', text), 400);
    expect(problem.detail).toMatch(/duplicate key "name"/);
    expect(await userCount(fields.username)).toBe(0);
  });

  it('answers 400 to a repeated key deep inside the body', async () => {
    const { text } = signUpJson(',"city":{"a":[{"b":1,"b":2}]}');
    expect((await expectProblem(await send('POST', '/user', text), 400)).detail).toMatch(/duplicate key "b"/);
  });

  it('answers 400 to __proto__, constructor and prototype keys and never grants a role', async () => {
    for (const extra of [',"__proto__":{"role":"admin"}', ',"constructor":{"prototype":{"role":"admin"}}', ',"prototype":{"role":"admin"}']) {
      const { fields, text } = signUpJson(extra);
      expect((await expectProblem(await send('POST', '/user', text), 400)).detail).toMatch(/is not allowed/);
      expect(await userCount(fields.username)).toBe(0);
    }
    expect(({} as { role?: string }).role).toBeUndefined();
  });

  it('answers 400 to nesting deeper than 32 levels', async () => {
    const { text } = signUpJson(`,"city":${'['.repeat(40)}${']'.repeat(40)}`);
    expect((await expectProblem(await send('POST', '/user', text), 400)).detail).toMatch(/nested deeper than 32/);
  });

  it('answers 400 to a lone surrogate escape in any string', async () => {
    const { text } = signUpJson(',"city":"Lon\\ud800don"');
    expect((await expectProblem(await send('POST', '/user', text), 400)).detail).toMatch(/unpaired surrogate/);
  });

  it('answers 400 to malformed UTF-8 bytes', async () => {
    const { text } = signUpJson(',"city":"@"');
    const bytes = new TextEncoder().encode(text);
    bytes[bytes.lastIndexOf(0x40)] = 0xff;
    expect((await expectProblem(await send('POST', '/user', bytes), 400)).detail).toMatch(/not valid UTF-8/);
  });

  it('answers 400 to a top level that is not an object', async () => {
    for (const text of ['[]', `[${signUpJson().text}]`, '"user"', '42', 'null']) {
      expect((await expectProblem(await send('POST', '/user', text), 400)).detail).toMatch(/must be a JSON object/);
    }
  });

  it('answers 400 to an empty body, syntax errors and trailing data', async () => {
    for (const text of ['', '{', '{"username":}', `${signUpJson().text} {}`, "{'a':1}"]) {
      await expectProblem(await send('POST', '/user', text), 400);
    }
  });

  it('answers 422 with the field named for wrong types', async () => {
    const fields = { ...signUpFields(), username: 123, surname: ['x'] };
    const res = await post('/user', { json: fields });
    const problem = await expectProblem(res, 422);
    expect((problem as { errors?: { path: string }[] }).errors?.map((e) => e.path)).toEqual(expect.arrayContaining(['username', 'surname']));
  });

  it('answers 422 to control characters in a name, whether JSON-escaped or form-encoded', async () => {
    for (const name of ['Ada\u0000', 'A\u0007da', 'Ada\u009b', 'A\u2028da']) {
      const res = await post('/user', { json: { ...signUpFields(), name } });
      const problem = await expectProblem(res, 422);
      expect((problem as { errors?: { path: string }[] }).errors?.[0]?.path).toBe('name');
    }
    const res = await post('/user', { form: { ...signUpFields(), surname: 'Love\u0001lace' } });
    expect(((await expectProblem(res, 422)) as { errors?: { path: string }[] }).errors?.[0]?.path).toBe('surname');
  });

  it('answers 422 to bidirectional overrides that spoof names in admin views', async () => {
    const res = await post('/user', { json: { ...signUpFields(), surname: 'Love\u202Elace' } });
    expect(((await expectProblem(res, 422)) as { errors?: { path: string }[] }).errors?.[0]?.path).toBe('surname');
  });

  it('answers 400 to a lone surrogate in a name (refused as JSON before the schema sees it)', async () => {
    const { text } = signUpJson();
    const res = await send('POST', '/user', text.replace('"name":"Ada"', '"name":"Ada\\udc00"'));
    await expectProblem(res, 400);
  });

  it('still signs up a clean body, so the checks are not refusing everything', async () => {
    const { fields, text } = signUpJson(',"city":"Z\\u00fcrich \\ud83d\\ude00"');
    const res = await send('POST', '/user', text);
    expect(res.status).toBe(201);
    expect(await body(res)).toMatchObject({ username: fields.username, city: 'Zürich \u{1F600}', role: 'normal' });
  });
});

describe('POST /user with a hostile form', () => {
  it('answers 400 to a repeated field and to __proto__ or constructor fields, 422 to bracket tricks', async () => {
    const f = signUpFields();
    const base = new URLSearchParams(f).toString();
    const form = { type: 'application/x-www-form-urlencoded' };
    for (const extra of ['&name=Eve', '&__proto__=admin', '&constructor=x', '&prototype=x']) {
      await expectProblem(await send('POST', '/user', base + extra, form), 400);
    }
    // Forms are flat: `__proto__[role]` is just an unknown field name.
    await expectProblem(await send('POST', '/user', `${base}&__proto__[role]=admin`, form), 422);
    expect(await userCount(f.username)).toBe(0);
  });

  it('answers 422 to a role field in a form', async () => {
    const res = await post('/user', { form: { ...signUpFields(), role: 'admin' } });
    expect(((await expectProblem(res, 422)) as { errors?: { path: string }[] }).errors?.[0]?.path).toBe('role');
  });
});

describe('PATCH /user/me with hostile JSON', () => {
  it('never turns a repeated or prototype role key into a role', async () => {
    const user = await signedIn();
    for (const text of [
      '{"city":"Paris","role":"normal","role":"admin"}',
      '{"__proto__":{"role":"admin"}}',
      '{"constructor":{"prototype":{"role":"admin"}}}',
    ]) {
      await expectProblem(await send('PATCH', '/user/me', text, { token: user.access }), 400);
    }
    expect(await roleOf(user.uuid)).toBe('normal');
    const me = await body(await get('/user/me', { token: user.access }));
    expect(me).toMatchObject({ role: 'normal', city: null });
  });

  it('applies a clean patch (the body re-read by the validator is the one that was checked)', async () => {
    const user = await signedIn();
    const res = await patch('/user/me', { token: user.access, json: { city: 'Paris' } });
    expect(res.status).toBe(200);
    expect(await body(res)).toMatchObject({ city: 'Paris', role: 'normal' });
  });

  it('refuses a +json media type body with the same strictness', async () => {
    const user = await signedIn();
    await expectProblem(await send('PATCH', '/user/me', '{"city":"A","city":"B"}', { token: user.access, type: 'application/merge-patch+json' }), 400);
  });
});

describe('POST /token with hostile bodies', () => {
  const expectOAuth = async (res: Response, error: string) => {
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const json = await body<{ error: string; error_description: string }>(res);
    expect(json.error).toBe(error);
    expect(Object.keys(json).sort()).toEqual(['error', 'error_description']);
    return json;
  };

  it('answers invalid_request (RFC 6749) to repeated keys in JSON and in forms', async () => {
    const user = await createUser();
    const json = `{"grant_type":"password","username":"${user.username}","password":"${user.password}","username":"admin"}`;
    expect((await expectOAuth(await send('POST', '/token', json), 'invalid_request')).error_description).toMatch(/duplicate key/);
    const form = `grant_type=password&username=${user.username}&password=x&password=y`;
    await expectOAuth(await send('POST', '/token', form, { type: 'application/x-www-form-urlencoded' }), 'invalid_request');
  });

  it('answers invalid_request to prototype keys, deep nesting, lone surrogates and bad UTF-8', async () => {
    for (const payload of [
      '{"grant_type":"password","__proto__":{}}',
      `{"grant_type":${'['.repeat(50)}${']'.repeat(50)}}`,
      '{"grant_type":"password","username":"\\ud800","password":"x"}',
      new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]),
      '[]',
    ]) {
      await expectOAuth(await send('POST', '/token', payload), 'invalid_request');
    }
    await expectOAuth(await send('POST', '/token', 'grant_type=password&constructor=1', { type: 'application/x-www-form-urlencoded' }), 'invalid_request');
  });
});
