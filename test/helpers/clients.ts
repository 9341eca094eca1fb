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

/** A new client of `orgId` and a client_credentials access token for it. */
export async function clientToken(by: SignedIn, orgId: string): Promise<string> {
  const client = await newClient(by, orgId);
  const res = await post('/token', {
    form: { grant_type: 'client_credentials' },
    headers: { authorization: `Basic ${btoa(`${client.client_id}:${client.api_key}`)}` },
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await body<{ access_token: string }>(res)).access_token;
}
