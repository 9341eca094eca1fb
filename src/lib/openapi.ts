import { z } from '@hono/zod-openapi';
import type { RouteConfig, RouteConfigToEnv, RouteHandler } from '@hono/zod-openapi';
import type { AppEnv } from '../env';

/** Handlers typed from their route: returning an undeclared status is a compile error. */
export type AppRouteHandler<R extends RouteConfig> = RouteHandler<R, AppEnv & RouteConfigToEnv<R>>;

export const bearer = [{ bearer: [] }];

export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: 'about:blank' }),
    title: z.string().openapi({ example: 'Unprocessable Content' }),
    status: z.number().int().openapi({ example: 422 }),
    detail: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem');

const PROBLEM_DESCRIPTIONS: Record<number, string> = {
  400: 'The body could not be parsed',
  401: 'Missing, invalid or revoked bearer token',
  403: 'The caller lacks the role this needs',
  404: 'No such resource, or one the caller may not see',
  409: 'Conflicts with an existing resource',
  413: 'The body is too large',
  415: 'Unsupported content type',
  422: 'The body or query breaks the schema or a rule',
  429: 'Too many attempts; see Retry-After',
  502: 'An upstream service failed',
  504: 'An upstream service timed out',
};

/** A JSON response entry for `responses`. */
export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});

type ProblemStatus = keyof typeof PROBLEM_DESCRIPTIONS;

/**
 * problem+json response entries for the given statuses.
 *
 * @example responses: { 200: json(UserSchema, 'The user'), ...problems(401, 404) }
 */
export function problems<const S extends ProblemStatus[]>(...statuses: S) {
  const out = {} as Record<S[number], { content: { 'application/problem+json': { schema: typeof ProblemSchema } }; description: string }>;
  for (const status of statuses) {
    (out as Record<number, unknown>)[status] = {
      content: { 'application/problem+json': { schema: ProblemSchema } },
      description: PROBLEM_DESCRIPTIONS[status]!,
    };
  }
  return out;
}

/** A JSON request body that must be present (otherwise a missing content type reads as `{}`). */
export const jsonBody = <T extends z.ZodType>(schema: T, description?: string) => ({
  required: true,
  description,
  content: { 'application/json': { schema } },
});
