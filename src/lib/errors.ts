import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { ConfigError } from '../config';
import { ApiError, problemResponse } from './problem';

/** What the client is told for framework errors (the validators' own messages stay internal). */
const HTTP_EXCEPTION_DETAIL: Record<number, string> = {
  400: 'The request body could not be parsed',
  413: 'The request body is too large',
  415: 'Unsupported content type',
};

const isTokenEndpoint = (c: Context) => c.req.path === '/token' || c.req.path === '/token/revoke';

/**
 * The one error renderer. ApiError carries its wire message; everything else is logged with
 * the request id and answered without internals (no message, no stack).
 */
export function renderError(err: Error, c: Context): Response {
  const requestId = (c.get('requestId') as string | undefined) ?? 'none';
  let status = 500;
  let detail = 'Something went wrong on our side; the request id is in the logs';
  let errors;
  let headers: Record<string, string> | undefined;
  if (err instanceof ApiError) {
    ({ status, detail } = err);
    errors = err.options.errors;
    headers = err.options.headers;
  } else if (err instanceof HTTPException && err.status < 500) {
    status = err.status;
    detail = HTTP_EXCEPTION_DETAIL[status] ?? 'The request was refused';
  } else if (err instanceof ConfigError) {
    status = 503;
    detail = `The service is misconfigured: ${err.message}`;
    console.error(JSON.stringify({ level: 'error', requestId, error: 'config', message: err.message }));
  } else {
    console.error(JSON.stringify({ level: 'error', requestId, error: err?.name, message: err?.message, stack: err?.stack }));
  }
  if (isTokenEndpoint(c) && status >= 500) {
    const error = status === 503 ? 'temporarily_unavailable' : 'server_error';
    return new Response(JSON.stringify({ error, error_description: detail }), {
      status,
      headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    });
  }
  if (isTokenEndpoint(c) && status === 413) {
    return new Response(JSON.stringify({ error: 'invalid_request', error_description: detail }), {
      status,
      headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    });
  }
  return problemResponse(status, detail, errors, headers);
}
