import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey } from '../../scripts/generate-key';
import { type DevServer, startDevServer } from '../../scripts/lib/dev-server';
import { localMessagesMentioning } from '../../scripts/lib/local-mail';

/**
 * The local default of the EMAIL binding under the real `wrangler dev`: it sends nothing and
 * writes each message under `.wrangler/tmp/email/<session>/` in the project root (wrangler's
 * project tmp dir; one session directory per running server, named after its miniflare instance,
 * removed when the server stops). A forgotten password's link is read from there and used.
 */
let server: DevServer;
const password = `Local mail ${crypto.randomUUID()} passphrase`;
const username = `mail_${crypto.randomUUID().slice(0, 8)}`;
const email = `${username}@example.com`;

async function waitForMessage(needle: string, match: RegExp): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const found = localMessagesMentioning(needle).find((t) => match.test(t));
    if (found) return found;
    await sleep(100);
  }
  throw new Error('no message file appeared under .wrangler/tmp/email/');
}

beforeAll(async () => {
  const { privateJwk } = await generateSigningKey('email-test');
  server = await startDevServer({
    vars: { IP_RATE_LIMIT: 'off', PASSWORD_ITERATIONS: '10000', PUBLIC_URL: 'https://id.example.org' },
    secrets: { JWT_PRIVATE_KEY: JSON.stringify(privateJwk) },
  });
  const signUp = await fetch(`${server.url}/user`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, email, password, name: 'Olga', surname: 'Postbox' }),
  });
  expect(signUp.status).toBe(201);
}, 180_000);

afterAll(async () => {
  await server?.stop();
});

describe('email under wrangler dev', () => {
  it('writes the reset message under .wrangler/tmp/email/, and its link resets the password', async () => {
    const forgot = await fetch(`${server.url}/password/forgot`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email }),
    });
    expect(forgot.status).toBe(202);
    const text = await waitForMessage(email, /reset-password\?token=/);
    const token = /https:\/\/id\.example\.org\/reset-password\?token=([A-Za-z0-9_-]{43})/.exec(text)?.[1];
    expect(token).toBeDefined();
    const newPassword = `${password} renewed`;
    const reset = await fetch(`${server.url}/password/reset`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token, new_password: newPassword }),
    });
    expect(reset.status).toBe(204);
    const grant = (p: string) => fetch(`${server.url}/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'password', username, password: p }) });
    expect((await grant(password)).status).toBe(400);
    expect((await grant(newPassword)).status).toBe(200);
    // The notice of the reset lands there too.
    await waitForMessage(email, /password .* was just reset/);
  }, 60_000);
});
