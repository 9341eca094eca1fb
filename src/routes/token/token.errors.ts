import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { toWireError } from '../../http/errors';
import { ApiError } from '../../lib/problem';

/** RFC 6749 §5.2 error codes this endpoint answers with. */
export type OAuthErrorCode = 'invalid_request' | 'invalid_grant' | 'unsupported_grant_type' | 'invalid_client' | 'server_error' | 'temporarily_unavailable';

/**
 * The token endpoint's own error: RFC 6749 §5.2 `{error, error_description}`, not problem+json,
 * because OAuth clients (Swagger UI's among them) parse this shape.
 */
export class OAuthError extends Error {
  constructor(
    readonly code: OAuthErrorCode,
    readonly description: string,
    readonly status: ContentfulStatusCode = 400,
    readonly headers: Record<string, string> = {},
  ) {
    super(description);
  }
}

/**
 * One description for unknown user, wrong password, disabled user, throttled name and a grant
 * that lost a race, so the bodies are byte-identical and reveal nothing about which it was.
 */
/** REQUIRE_VERIFIED_EMAIL=on and a right password for an unverified address: said only to someone who knows the password. */
export const EMAIL_UNVERIFIED = 'Verify your email address first: use the link we sent, or reset your password to get a new one';
export const BAD_CREDENTIALS = 'The username or password is incorrect, or the account cannot sign in right now';
/** One description for a wrong, reused or expired code and an mfa_token that is unknown, used or spent. */
export const BAD_SECOND_FACTOR = 'The code is incorrect or was used already, or the mfa_token is invalid or expired';

function respond(code: OAuthErrorCode, description: string, status: ContentfulStatusCode, headers: Record<string, string> = {}) {
  return new Response(JSON.stringify({ error: code, error_description: description }), {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', pragma: 'no-cache', ...headers },
  });
}

/**
 * The token router's error renderer (its own `onError`): every failure of /token and
 * /token/revoke is an RFC 6749 body. An OAuthError carries its code; anything else (a body
 * over the limit, a broken configuration, a bug) is mapped from its wire form without internals.
 */
export function renderOAuthError(err: Error, c: Context): Response {
  if (err instanceof OAuthError) return respond(err.code, err.description, err.status, err.headers);
  // A bad X-API-Key (src/middleware/api-key.ts) is a client that failed to authenticate (RFC 6749 §5.2).
  if (err instanceof ApiError && err.code === 'api_key_invalid') return respond('invalid_client', err.message, 401);
  const wire = toWireError(err, (c.get('requestId') as string | undefined) ?? 'none');
  const code: OAuthErrorCode = wire.status === 503 ? 'temporarily_unavailable' : wire.status >= 500 ? 'server_error' : 'invalid_request';
  return respond(code, wire.detail, wire.status as ContentfulStatusCode, wire.headers);
}
