import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { ConfigError } from '../config';
import { ApiError, type FieldError, type ProblemCode, problemResponse } from '../lib/problem';

/** What the client is told for framework errors (the validators' own messages stay internal). */
const HTTP_EXCEPTION: Record<number, { code: ProblemCode; detail: string }> = {
  400: { code: 'malformed_body', detail: 'The request body could not be parsed' },
  413: { code: 'body_too_large', detail: 'The request body is too large' },
  415: { code: 'unsupported_media_type', detail: 'Unsupported content type' },
};

/** An error as every front door may show it: a kind, a safe sentence, field errors, headers. */
export interface WireError {
  code: ProblemCode;
  status: number;
  detail: string;
  errors?: FieldError[];
  headers?: Record<string, string>;
}

/**
 * Splits an error into its wire form and its internal reason (workers-oauth-provider's rule):
 * ApiError carries its own safe message; anything else is logged with the request id and
 * answered without internals, never a message or a stack.
 */
export function toWireError(err: unknown, requestId: string): WireError {
  if (err instanceof ApiError) {
    return { code: err.code, status: err.status, detail: err.detail, errors: err.options.errors, headers: err.options.headers };
  }
  if (err instanceof HTTPException && HTTP_EXCEPTION[err.status]) {
    const known = HTTP_EXCEPTION[err.status]!;
    return { ...known, status: err.status };
  }
  if (err instanceof ConfigError) {
    console.error(JSON.stringify({ level: 'error', requestId, error: 'config', message: err.message }));
    return { code: 'misconfigured', status: 503, detail: `The service is misconfigured: ${err.message}` };
  }
  const e = err as Error | undefined;
  console.error(JSON.stringify({ level: 'error', requestId, error: e?.name, message: e?.message, stack: e?.stack }));
  return { code: 'internal', status: 500, detail: 'Something went wrong on our side; the request id is in the logs' };
}

/** The API's renderer: problem+json (RFC 9457). Routers with another wire format set their own onError. */
export function renderProblem(err: Error, c: Context): Response {
  const wire = toWireError(err, (c.get('requestId') as string | undefined) ?? 'none');
  return problemResponse(wire.code, wire.detail, wire.errors, wire.headers);
}
