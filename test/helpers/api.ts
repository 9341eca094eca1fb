import { exports } from 'cloudflare:workers';

export const BASE = 'https://userauth.test';

export interface CallOptions {
  token?: string;
  json?: unknown;
  form?: Record<string, string>;
  body?: BodyInit;
  headers?: Record<string, string>;
}

/** Builds the Request a test sends: bearer token, JSON or form body, extra headers. */
export function buildRequest(method: string, path: string, opts: CallOptions = {}): Request {
  const headers = new Headers(opts.headers);
  if (opts.token) headers.set('authorization', `Bearer ${opts.token}`);
  let body = opts.body;
  if (opts.json !== undefined) {
    headers.set('content-type', 'application/json');
    body = JSON.stringify(opts.json);
  } else if (opts.form) {
    headers.set('content-type', 'application/x-www-form-urlencoded');
    body = new URLSearchParams(opts.form).toString();
  }
  return new Request(`${BASE}${path}`, { method, headers, body });
}

/** Sends a request through the real Worker's fetch handler. */
export function call(method: string, path: string, opts: CallOptions = {}): Promise<Response> {
  return exports.default.fetch(buildRequest(method, path, opts));
}

export const get = (path: string, opts?: CallOptions) => call('GET', path, opts);
export const post = (path: string, opts?: CallOptions) => call('POST', path, opts);
export const patch = (path: string, opts?: CallOptions) => call('PATCH', path, opts);
export const put = (path: string, opts?: CallOptions) => call('PUT', path, opts);
export const del = (path: string, opts?: CallOptions) => call('DELETE', path, opts);

/** Reads a JSON body (problem+json included). */
export const body = async <T = Record<string, unknown>>(res: Response): Promise<T> => (await res.json()) as T;
