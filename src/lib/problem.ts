/** One validation failure: a JSON-pointer-like path into the request and what was wrong. */
export interface FieldError {
  path: string;
  message: string;
}

/** RFC 9457 problem details, as every non-token, non-page error is rendered. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
}

/**
 * Every kind of problem the API answers with: its status and title, and through `problemType`
 * its stable `type` URI. Clients branch on `type`, never on the English `detail` (SPEC
 * "Errors"); the README lists them. A new kind is a new entry here, never a new meaning for
 * an old one.
 */
export const PROBLEMS = {
  malformed_body: { status: 400, title: 'The body could not be parsed' },
  email_token_invalid: { status: 400, title: 'The link is invalid, used or expired' },
  token_required: { status: 401, title: 'A bearer token is required' },
  invalid_token: { status: 401, title: 'The token is invalid, expired or its session has ended' },
  api_key_invalid: { status: 401, title: 'The API key is missing, unknown or revoked' },
  role_required: { status: 403, title: 'The caller lacks the role this needs' },
  invitation_invalid: { status: 403, title: 'The invitation is for another address, or the address is not verified' },
  self_only: { status: 403, title: 'Only the user themselves may do this' },
  photo_not_recognised: { status: 403, title: 'The photo was not recognised as the user' },
  captcha_failed: { status: 403, title: 'The captcha was not solved' },
  csrf_failed: { status: 403, title: 'The form did not come from this site' },
  not_found: { status: 404, title: 'No such resource' },
  method_not_allowed: { status: 405, title: 'Method not allowed' },
  username_taken: { status: 409, title: 'The username is taken' },
  email_taken: { status: 409, title: 'The email is already registered' },
  photo_decided: { status: 409, title: 'The photo was already decided' },
  mfa_enabled: { status: 409, title: 'A second factor is already on' },
  mfa_not_enrolled: { status: 409, title: 'No second factor is being enrolled or on' },
  email_already_verified: { status: 409, title: 'The address is already verified' },
  other_organization: { status: 409, title: 'The user belongs to another organization' },
  body_too_large: { status: 413, title: 'The body is too large' },
  unsupported_media_type: { status: 415, title: 'Unsupported content type' },
  unsupported_image: { status: 415, title: 'Not a JPEG, PNG or WebP image' },
  validation_failed: { status: 422, title: 'The request breaks the schema' },
  invalid_cursor: { status: 422, title: 'The cursor is not valid' },
  password_rejected: { status: 422, title: 'The password breaks the password policy' },
  wrong_password: { status: 422, title: 'The current password is incorrect' },
  wrong_code: { status: 422, title: 'The code is incorrect or was used already' },
  throttled: { status: 429, title: 'Too many attempts for this account' },
  rate_limited: { status: 429, title: 'Too many requests from this address' },
  client_rate_limited: { status: 429, title: 'Too many requests from this client' },
  email_throttled: { status: 429, title: 'Too many messages to this address' },
  internal: { status: 500, title: 'Internal error' },
  recognizer_failed: { status: 502, title: 'The photo recognizer failed' },
  captcha_unavailable: { status: 502, title: 'The captcha could not be checked' },
  misconfigured: { status: 503, title: 'The service is misconfigured' },
  recognizer_timeout: { status: 504, title: 'The photo recognizer timed out' },
} as const satisfies Record<string, { status: number; title: string }>;

export type ProblemCode = keyof typeof PROBLEMS;
export type ProblemStatus = (typeof PROBLEMS)[ProblemCode]['status'];

/** The stable `type` URI of a kind of problem (RFC 9457 §3.1.1: a URI, not meant to be fetched). */
export const problemType = (code: ProblemCode) => `urn:userauth:problem:${code}`;

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/**
 * The one throwable error of the services and the API. `detail` reaches the client, so it must
 * never hold internals; `headers` (Retry-After, WWW-Authenticate, Allow) survive to the
 * response. Each front door renders it its own way (problem+json, RFC 6749, an HTML page).
 *
 * @example throw new ApiError('not_found', 'No such user');
 */
export class ApiError extends Error {
  readonly status: number;
  constructor(
    readonly code: ProblemCode,
    readonly detail: string = PROBLEMS[code].title,
    readonly options: { errors?: FieldError[]; headers?: Record<string, string> } = {},
  ) {
    super(detail);
    this.status = PROBLEMS[code].status;
  }
}

export function problem(code: ProblemCode, detail: string, errors?: FieldError[]): Problem {
  const { status, title } = PROBLEMS[code];
  return { type: problemType(code), title, status, detail, ...(errors && errors.length > 0 ? { errors } : {}) };
}

/** Renders a problem+json response. */
export function problemResponse(code: ProblemCode, detail: string, errors?: FieldError[], headers?: Record<string, string>) {
  return new Response(JSON.stringify(problem(code, detail, errors)), {
    status: PROBLEMS[code].status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, ...headers },
  });
}

/** `401` with the RFC 6750 challenge; `error="invalid_token"` only when a token was sent. */
export function unauthorized(detail: string, invalidToken = true): ApiError {
  const challenge = invalidToken ? 'Bearer realm="userauth", error="invalid_token"' : 'Bearer realm="userauth"';
  return new ApiError(invalidToken ? 'invalid_token' : 'token_required', detail, { headers: { 'www-authenticate': challenge } });
}

export const notFound = (what = 'resource') => new ApiError('not_found', `No such ${what}`);
export const forbidden = (detail = 'Your role does not allow this') => new ApiError('role_required', detail);
/** A 429 whose Retry-After is whole seconds, at least one. */
export const tooMany = (code: 'throttled' | 'rate_limited' | 'email_throttled' | 'client_rate_limited', detail: string, retryAfterMs: number) =>
  new ApiError(code, detail, { headers: { 'retry-after': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) } });
