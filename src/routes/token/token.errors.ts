import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** RFC 6749 §5.2 error codes this endpoint answers with. */
export type OAuthErrorCode = 'invalid_request' | 'invalid_grant' | 'unsupported_grant_type' | 'invalid_client' | 'temporarily_unavailable';

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
 * One description for unknown user, wrong password, disabled user and throttled name, so the
 * bodies are byte-identical and reveal nothing about which it was.
 */
export const BAD_CREDENTIALS = 'The username or password is incorrect, or the account cannot sign in right now';

export function oauthErrorResponse(c: Context, err: OAuthError) {
  c.header('cache-control', 'no-store');
  for (const [name, value] of Object.entries(err.headers)) c.header(name, value);
  return c.json({ error: err.code, error_description: err.description }, err.status);
}
