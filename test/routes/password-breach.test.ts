import { afterEach, describe, expect, it, vi } from 'vitest';
import { BASE, body } from '../helpers/api';
import { fetchWith, remoteStandIn } from '../helpers/photos';
import { expectProblem } from '../helpers/problems';

/**
 * PASSWORD_BREACH_CHECK=hibp at the network boundary: a stand-in for Have I Been Pwned's range
 * API answers; we assert what leaves the worker (five hex characters of the SHA-1, nothing else).
 */
const HIBP = { PASSWORD_BREACH_CHECK: 'hibp', PASSWORD_BREACH_TIMEOUT_MS: '200' };
const sha1 = async (text: string) =>
  [...new Uint8Array(await crypto.subtle.digest('SHA-1', new TextEncoder().encode(text)))]
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('')
    .toUpperCase();

function signUp(password: string, vars: Record<string, string> = HIBP) {
  const username = `hibp${crypto.randomUUID().slice(0, 8)}`;
  const request = new Request(`${BASE}/user`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, email: `${username}@example.com`, password, name: 'Breach', surname: 'Check' }),
  });
  return fetchWith(vars, request);
}

afterEach(() => vi.restoreAllMocks());

describe('sign-up with PASSWORD_BREACH_CHECK=hibp', () => {
  const password = `Parsley orbit ${crypto.randomUUID().slice(0, 6)} lantern`;

  it('refuses a password the range API lists, sending only the first five hex characters of its SHA-1', async () => {
    const hash = await sha1(password);
    const seen = remoteStandIn(vi.spyOn, () => new Response(`0018A45C4D1DEF81644B54AB7F969B88D65:0\r\n${hash.slice(5)}:42\r\n`));
    const problem = await expectProblem(await signUp(password), 422, 'password_rejected');
    expect(problem.errors).toEqual([{ path: 'password', message: 'appears in a known data breach; choose another' }]);
    expect(seen).toHaveLength(1);
    const { request, body: sent } = seen[0]!;
    expect(request.url).toBe(`https://api.pwnedpasswords.com/range/${hash.slice(0, 5)}`);
    expect(request.headers.get('add-padding')).toBe('true');
    expect(sent).toHaveLength(0);
    const everything = `${request.url} ${[...request.headers].join(' ')}`.toUpperCase();
    expect(everything).not.toContain(hash.slice(0, 6));
    expect(everything).not.toContain(password.toUpperCase());
  });

  it('accepts a password the range API does not list', async () => {
    remoteStandIn(vi.spyOn, () => new Response('0018A45C4D1DEF81644B54AB7F969B88D65:3\r\n'));
    expect((await signUp(password)).status).toBe(201);
  });

  it('accepts the password when HIBP is down or too slow (the check is an extra, not a gate)', async () => {
    remoteStandIn(vi.spyOn, () => new Response('oops', { status: 503 }));
    expect((await signUp(password)).status).toBe(201);
    remoteStandIn(vi.spyOn, () => new Promise<Response>(() => {}));
    expect((await signUp(`${password} two`)).status).toBe(201);
  });

  it('asks nobody when the check is off (the default)', async () => {
    const seen = remoteStandIn(vi.spyOn, () => new Response(''));
    const res = await signUp(password, {});
    expect(res.status, JSON.stringify(await body(res.clone()))).toBe(201);
    expect(seen).toHaveLength(0);
  });
});
