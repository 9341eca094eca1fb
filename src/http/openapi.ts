import { createRoute, type RouteConfig, type RouteConfigToEnv, type RouteHandler, z } from '@hono/zod-openapi';
import type { AppEnv } from '../env';
import { PROBLEMS, type ProblemStatus } from '../lib/problem';

/** Handlers typed from their route: returning an undeclared status is a compile error. */
export type AppRouteHandler<R extends RouteConfig> = RouteHandler<R, AppEnv & RouteConfigToEnv<R>>;

export const bearer = [{ bearer: [] }];

export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: 'urn:userauth:problem:validation_failed', description: 'Stable kind of problem; the README lists them' }),
    title: z.string().openapi({ example: 'The request breaks the schema' }),
    status: z.number().int().openapi({ example: 422 }),
    detail: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem');

/** A JSON response entry for `responses`. */
export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});

/** The `type`s a status may carry, for the response's description. */
const describe = (status: number) =>
  Object.entries(PROBLEMS)
    .filter(([, p]) => p.status === status)
    .map(([code, p]) => `${p.title} (\`${code}\`)`)
    .join('; ');

/**
 * problem+json response entries for the given statuses, each described by the kinds of
 * problem that status carries.
 *
 * @example responses: { 200: json(UserSchema, 'The user'), ...problems(401, 404) }
 */
export function problems<const S extends ProblemStatus[]>(...statuses: S) {
  const out = {} as Record<S[number], { content: { 'application/problem+json': { schema: typeof ProblemSchema } }; description: string }>;
  for (const status of statuses) {
    (out as Record<number, unknown>)[status] = { content: { 'application/problem+json': { schema: ProblemSchema } }, description: describe(status) };
  }
  return out;
}

/** A JSON request body that must be present (otherwise a missing content type reads as `{}`). */
export const jsonBody = <T extends z.ZodType>(schema: T, description?: string) => ({
  required: true,
  description,
  content: { 'application/json': { schema } },
});

type Params = z.ZodObject<z.ZodRawShape>;
type WithUuid<P, U extends Params> = P extends z.ZodObject<infer S> ? z.ZodObject<S & U['shape']> : U;

/**
 * One declaration for a route that exists as `/user/me…` (the caller) and `/user/{uuid}…`
 * (anyone the caller may see): the same method, rules, body and responses; the `{uuid}` form
 * adds the path parameter.
 *
 * @example export const { me: getMe, user: getUser } = meAndUser('', UserUuidParam, { method: 'get', ... });
 */
export function meAndUser<const S extends string, U extends Params, const R extends Omit<RouteConfig, 'path'>>(suffix: S, uuidParam: U, config: R) {
  const params = config.request?.params as Params | undefined;
  const userParams = params ? uuidParam.extend(params.shape) : uuidParam;
  return {
    me: createRoute({ ...config, path: `/user/me${suffix}` as `/user/me${S}` }),
    user: createRoute({
      ...config,
      path: `/user/{uuid}${suffix}` as `/user/{uuid}${S}`,
      request: { ...config.request, params: userParams } as Omit<NonNullable<R['request']>, 'params'> & {
        params: WithUuid<NonNullable<R['request']>['params'], U>;
      },
    }),
  };
}
