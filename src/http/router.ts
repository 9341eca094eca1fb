import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../env';
import { ApiError, type FieldError } from '../lib/problem';

type Issue = { path: PropertyKey[]; message: string; code?: string; keys?: string[] };

/** zod issues → `[{path, message}]`; unknown keys are named one by one. */
export function fieldErrors(issues: Issue[]): FieldError[] {
  return issues.flatMap((issue) => {
    const base = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys' && issue.keys) {
      return issue.keys.map((key) => ({ path: base ? `${base}.${key}` : key, message: 'is not a field that can be set here' }));
    }
    return [{ path: base || '(body)', message: issue.message }];
  });
}

/**
 * A router of the JSON API: validation failures become ApiErrors (a malformed path id is a 404,
 * as it cannot name anything; anything else a 422 with per-field errors), rendered by the API
 * group's problem+json `onError` (src/app.ts).
 */
export const createRouter = () =>
  new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (result.success) return;
      if (result.target === 'param') throw new ApiError('not_found', 'No such resource');
      throw new ApiError('validation_failed', 'The request breaks the schema; see errors', { errors: fieldErrors(result.error.issues as Issue[]) });
    },
  });
