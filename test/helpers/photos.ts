import { createExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import worker from '../../src/index';
import { BASE, call } from './api';

export interface UploadOptions {
  /** Upload to this user's path instead of the caller's own. */
  uuid?: string;
  /** File name and declared type of the part; the service must ignore both. */
  name?: string;
  type?: string;
  /** Configuration for this request only (a fresh env object means a fresh config parse). */
  vars?: Record<string, string>;
}

/** POST /user/{uuid}/validate_photo with `bytes` as the multipart `file` part. */
export function upload(user: { uuid: string; access: string }, bytes: Uint8Array, opts: UploadOptions = {}): Promise<Response> {
  const form = new FormData();
  form.append('file', new File([bytes], opts.name ?? 'photo.bin', { type: opts.type ?? 'application/octet-stream' }));
  const path = `/user/${opts.uuid ?? user.uuid}/validate_photo`;
  if (!opts.vars) return call('POST', path, { token: user.access, body: form });
  return fetchWith(opts.vars, new Request(`${BASE}${path}`, { method: 'POST', headers: { authorization: `Bearer ${user.access}` }, body: form }));
}

/** Sends a request through the Worker with extra configuration. */
export async function fetchWith(vars: Record<string, string>, request: Request): Promise<Response> {
  return worker.fetch(request, { ...env, ...vars }, createExecutionContext());
}

/** Every R2 key under the user's prefix, straight from the bucket. */
export async function r2Keys(userUuid: string): Promise<string[]> {
  const listing = await env.PHOTOS.list({ prefix: `photos/${userUuid}/` });
  return listing.objects.map((o) => o.key);
}

export interface PhotoDbRow {
  id: string;
  user_uuid: string;
  r2_key: string;
  content_type: string;
  size: number;
  sha256: string;
  status: string;
  reviewed_at: number | null;
}

/** The user's photo rows, straight from D1. */
export async function photoRows(userUuid: string): Promise<PhotoDbRow[]> {
  const { results } = await env.DB.prepare('select * from photos where user_uuid = ? order by id').bind(userUuid).all<PhotoDbRow>();
  return results;
}

export async function roleOf(userUuid: string): Promise<string | undefined> {
  return (await env.DB.prepare('select role from users where uuid = ?').bind(userUuid).first<{ role: string }>())?.role;
}

export const sha256Hex = async (bytes: Uint8Array) =>
  [...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))].map((b) => b.toString(16).padStart(2, '0')).join('');

export interface SeenRequest {
  request: Request;
  body: Uint8Array;
}

/**
 * Replaces the global fetch (the network boundary the recognizers cross) for this test: every
 * outgoing request is recorded with its body and answered by `answer`. Restore with
 * `vi.restoreAllMocks()` in afterEach.
 */
export function remoteStandIn(spyOn: typeof import('vitest').vi.spyOn, answer: (seen: SeenRequest) => Response | Promise<Response>): SeenRequest[] {
  const seen: SeenRequest[] = [];
  spyOn(globalThis, 'fetch').mockImplementation(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = new Request(input, init);
    const entry = { request, body: new Uint8Array(await request.clone().arrayBuffer()) };
    seen.push(entry);
    return answer(entry);
  });
  return seen;
}

/** A stand-in answer that never comes: only the recognizer timeout ends the request. */
export const never = () => new Promise<Response>(() => {});

/** Asserts that a refused or failed upload left nothing: no object, no row, the old role. */
export async function expectNothingKept(userUuid: string, role = 'normal') {
  const { expect } = await import('vitest');
  expect(await r2Keys(userUuid)).toEqual([]);
  expect(await photoRows(userUuid)).toEqual([]);
  expect(await roleOf(userUuid)).toBe(role);
}

/** Uploads a PNG with the default manual recognizer and returns the pending photo's id. */
export async function pendingPhoto(user: { uuid: string; access: string }): Promise<string> {
  const { expect } = await import('vitest');
  const { PNG } = await import('./images');
  const res = await upload(user, PNG);
  expect(res.status).toBe(202);
  return ((await res.json()) as { id: string }).id;
}
