import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSigningKey } from '../../scripts/generate-key';
import { type DevServer, freePort, startDevServer } from '../../scripts/lib/dev-server';

/**
 * A new user's first try with a well-known OAuth client library (oauth4webapi, by the author of
 * jose): discovery from our RFC 8414 metadata, the password grant, RFC 9068 validation of the
 * access token, refresh, and RFC 7009 revocation, against the real worker under `wrangler dev`.
 */
let server: DevServer;
let as: oauth.AuthorizationServer;
const client: oauth.Client = { client_id: 'userauth' };
const auth = oauth.None();
// Only 127.0.0.1 is reached: the library refuses plain http unless told.
const insecure = { [oauth.allowInsecureRequests]: true };
const password = `Standard client ${crypto.randomUUID()} passphrase`;
const username = `oauth_${crypto.randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  const { privateJwk } = await generateSigningKey('oauth-test');
  // The issuer is the server's own URL, as in production (JWT_ISSUER = the worker's public URL).
  const port = await freePort();
  server = await startDevServer({
    port,
    vars: { IP_RATE_LIMIT: 'off', JWT_ISSUER: `http://127.0.0.1:${port}`, PASSWORD_ITERATIONS: '10000' },
    secrets: { JWT_PRIVATE_KEY: JSON.stringify(privateJwk) },
  });
  const issuer = new URL(server.url);
  as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }));
  const signUp = await fetch(`${server.url}/user`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, email: `${username}@example.com`, password, name: 'Olga', surname: 'Auth' }),
  });
  expect(signUp.status).toBe(201);
}, 180_000);

afterAll(async () => {
  await server?.stop();
});

const bearer = (token: string) => new Request(`${server.url}/user/me`, { headers: { authorization: `Bearer ${token}` } });

describe('oauth4webapi against wrangler dev', () => {
  it('discovers the token, revocation and JWKS endpoints from /.well-known/oauth-authorization-server', () => {
    expect(as.issuer).toBe(server.url);
    expect(as.token_endpoint).toBe(`${server.url}/token`);
    expect(as.revocation_endpoint).toBe(`${server.url}/token/revoke`);
    expect(as.jwks_uri).toBe(`${server.url}/.well-known/jwks.json`);
  });

  it('logs in with the password grant, validates the access token (RFC 9068), refreshes and revokes', async () => {
    const granted = await oauth.processGenericTokenEndpointResponse(
      as,
      client,
      await oauth.genericTokenEndpointRequest(as, client, auth, 'password', { username, password }, insecure),
    );
    expect(granted.token_type).toBe('bearer');
    const claims = await oauth.validateJwtAccessToken(as, bearer(granted.access_token), 'userauth', insecure);
    expect(claims).toMatchObject({ iss: server.url, aud: 'userauth', client_id: 'userauth', amr: ['pwd'] });
    expect((await fetch(bearer(granted.access_token))).status).toBe(200);

    const refreshed = await oauth.processRefreshTokenResponse(
      as,
      client,
      await oauth.refreshTokenGrantRequest(as, client, auth, granted.refresh_token!, insecure),
    );
    expect(refreshed.refresh_token).not.toBe(granted.refresh_token);
    await oauth.validateJwtAccessToken(as, bearer(refreshed.access_token), 'userauth', insecure);

    await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, auth, refreshed.refresh_token!, insecure));
    expect((await fetch(bearer(refreshed.access_token))).status).toBe(401);
  }, 60_000);
});
