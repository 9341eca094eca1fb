import { expect } from 'vitest';
import { body, post } from './api';
import type { SignedIn } from './factories';

export interface NewClient {
  client_id: string;
  api_key: string;
}

/** Registers a client of `orgId` through the API (as a global admin or an admin of it). */
export async function newClient(by: SignedIn, orgId: string, name = 'Test client'): Promise<NewClient> {
  const res = await post(`/organizations/${orgId}/clients`, { token: by.access, json: { name } });
  expect(res.status, await res.clone().text()).toBe(201);
  return body(res);
}

/** HTTP Basic with a client id and a key: the client_credentials grant's credentials (RFC 6749 §2.3.1). */
export const basicAuth = (id: string, key: string) => ({ authorization: `Basic ${btoa(`${id}:${key}`)}` });

/** The client_credentials grant of `client`, as POST /token's form and headers. */
export const clientCredentials = (client: NewClient) => ({
  form: { grant_type: 'client_credentials' },
  headers: basicAuth(client.client_id, client.api_key),
});

/** A new client of `orgId` and a client_credentials access token for it. */
export async function clientToken(by: SignedIn, orgId: string): Promise<string> {
  const client = await newClient(by, orgId);
  const res = await post('/token', clientCredentials(client));
  expect(res.status, await res.clone().text()).toBe(200);
  return (await body<{ access_token: string }>(res)).access_token;
}
