import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { post } from '../helpers/api';
import { createUser } from '../helpers/factories';
import { burnPasswordWork } from '../../src/lib/password';

// Account enumeration through POST /token: every way a password grant can fail for a
// credential reason answers the same bytes. Timing is measured by scripts/enumeration-timing.ts
// (see docs/abuse-throttling.md), not asserted here: a timed unit test would be flaky.

const WRONG = 'definitely not the right password';
const grant = (username: string, password: string) => post('/token', { form: { grant_type: 'password', username, password } });

/** Everything a client can observe of a response except Retry-After, which a 429 adds. */
async function observable(res: Response) {
  const headers = [...res.headers].filter(([name]) => !['retry-after', 'date', 'x-request-id'].includes(name));
  return { text: await res.text(), headers };
}

describe('POST /token enumeration resistance', () => {
  it('answers unknown user, wrong password, disabled account and throttled name with byte-identical bodies and headers', async () => {
    const user = await createUser();
    const disabled = await createUser();
    await env.DB.prepare('update users set disabled = 1 where uuid = ?').bind(disabled.uuid).run();
    const throttled = await createUser();
    for (let i = 0; i < 5; i += 1) await grant(throttled.username, WRONG);

    const unknown = await grant(`nobody_${crypto.randomUUID().slice(0, 8)}`, WRONG);
    const unknownEmail = await grant(`nobody_${crypto.randomUUID().slice(0, 8)}@example.com`, WRONG);
    const wrong = await grant(user.username, WRONG);
    const wrongByEmail = await grant(user.email.toUpperCase(), WRONG);
    const disabledRight = await grant(disabled.username, disabled.password);
    const throttledRight = await grant(throttled.username, throttled.password);

    expect([unknown, unknownEmail, wrong, wrongByEmail, disabledRight].map((r) => r.status)).toEqual([400, 400, 400, 400, 400]);
    expect(throttledRight.status).toBe(429);
    const reference = await observable(wrong);
    expect(JSON.parse(reference.text)).toEqual({ error: 'invalid_grant', error_description: expect.any(String) });
    expect(reference.headers).toContainEqual(['content-type', 'application/json']);
    expect(reference.headers).toContainEqual(['cache-control', 'no-store']);
    for (const res of [unknown, unknownEmail, wrongByEmail, disabledRight, throttledRight]) expect(await observable(res)).toEqual(reference);
  });

  it('throttles an unknown name exactly as a real one, so a 429 says nothing about existence', async () => {
    const user = await createUser();
    const ghost = `ghost_${crypto.randomUUID().slice(0, 8)}`;
    const run = async (name: string) => {
      const out = [];
      for (let i = 0; i < 7; i += 1) {
        const res = await grant(name, WRONG);
        out.push({ status: res.status, retryAfter: res.headers.get('retry-after'), ...(await observable(res)) });
      }
      return out;
    };
    expect(await run(ghost)).toEqual(await run(user.username));
  });

  it('runs the full dummy derivation for unknown users, with the configured iteration count', async () => {
    // burnPasswordWork goes through the same PBKDF2 derivation as a real check, so it refuses an
    // iteration count above the Workers limit exactly as hashing does (no short cut).
    await expect(burnPasswordWork('x'.repeat(20), { iterations: 100_001 })).rejects.toThrow(RangeError);
    await expect(burnPasswordWork('x'.repeat(20), { iterations: 10_000 })).resolves.toBeUndefined();
  });
});
