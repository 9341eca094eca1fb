/** One validation failure: a JSON-pointer-like path into the request and what was wrong. */
export interface FieldError {
  path: string;
  message: string;
}

/** RFC 9457 problem details, as every non-token error is rendered. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/**
 * The one throwable error of the API. `detail` reaches the client, so it must never hold
 * internals; `headers` (Retry-After, WWW-Authenticate, Allow) survive to the response.
 *
 * @example throw new ApiError(404, 'No such user');
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly options: { errors?: FieldError[]; headers?: Record<string, string> } = {},
  ) {
    super(detail);
  }
}

export function problem(status: number, detail: string, errors?: FieldError[]): Problem {
  return {
    type: 'about:blank',
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    ...(errors && errors.length > 0 ? { errors } : {}),
  };
}

/** Renders a problem+json response. */
export function problemResponse(status: number, detail: string, errors?: FieldError[], headers?: Record<string, string>) {
  return new Response(JSON.stringify(problem(status, detail, errors)), {
    status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, ...headers },
  });
}

/** `401` with the RFC 6750 challenge. */
export function unauthorized(detail = 'A valid bearer token is required', invalidToken = true): ApiError {
  const challenge = invalidToken ? 'Bearer realm="userauth", error="invalid_token"' : 'Bearer realm="userauth"';
  return new ApiError(401, detail, { headers: { 'www-authenticate': challenge } });
}

export const notFound = (what = 'resource') => new ApiError(404, `No such ${what}`);
export const forbidden = (detail = 'Your role does not allow this') => new ApiError(403, detail);
