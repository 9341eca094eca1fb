import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from '../../env';
import { keyNeverRequired } from '../../middleware/api-key';
import { SERVICE_VERSION } from '../meta/meta.handlers';
import { FORM_ALSO } from '../users/users.routes';
import { inlineScriptHashes, REDOCS_CSP, swaggerCsp } from './docs.csp';
import { renderRedoc } from './redoc-html';
import { renderSwaggerUi } from './swagger-html';

export const OPENAPI_INFO = {
  openapi: '3.1.0',
  info: {
    title: 'UserAuth on the edge',
    version: SERVICE_VERSION,
    description:
      'User authentication on Cloudflare Workers. Log in with Authorize (OAuth2 password flow through /token), then call the bearer routes. A third-party client gives its API key there too (ApiKey): it is then sent on every call, and on the token request.',
  },
};

type Document = ReturnType<OpenAPIHono<AppEnv>['getOpenAPI31Document']>;

const SWAGGER_HTML = renderSwaggerUi(OPENAPI_INFO.info.title);
const REDOC_HTML = renderRedoc(OPENAPI_INFO.info.title);
/**
 * The /docs policy names its inline bootstrap's hash: computed once per isolate (the page never
 * changes). The string is kept, not a promise, so no request waits on another request's work.
 */
let swaggerPolicy: string | undefined;

/**
 * The documents, as their own router: /openapi.json (generated from the zod schemas of
 * `api`), Swagger UI at /docs whose Authorize button runs the password flow against /token,
 * and ReDoc at /redocs. Both pages load their scripts and styles from this Worker's static
 * assets (/vendor/…, see vendor.ts), never from a CDN; each sets its own Content-Security-Policy.
 */
export function docsRouter(api: OpenAPIHono<AppEnv>) {
  api.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'oauth2',
    description:
      'Access token from POST /token: the password grant for people, the client_credentials grant (HTTP Basic with the client id and its API key) for a third-party client. Send as Authorization: Bearer <token>.',
    flows: {
      password: { tokenUrl: '/token', refreshUrl: '/token', scopes: {} },
      clientCredentials: { tokenUrl: '/token', scopes: {} },
    },
  });
  api.openAPIRegistry.registerComponent('securitySchemes', 'ApiKey', {
    type: 'apiKey',
    in: 'header',
    name: 'X-API-Key',
    description:
      "A third-party client's key (ua_…): sign-ups made with it join the client's organization, tokens obtained with it carry its client_id and work only with it. Every operation but /, /health and /.well-known/* takes it; with REQUIRE_API_KEY=on every one of them needs it (each operation's security says which). In Swagger UI, authorize it before the OAuth2 flows: the page also sends it on the token request.",
  });
  // One document per REQUIRE_API_KEY value, built once per isolate (the tests vary the setting per request).
  const cached = new Map<RequireApiKey, Document>();
  const document = (requireKey: RequireApiKey) => {
    let doc = cached.get(requireKey);
    if (!doc) {
      doc = withKeyAlternatives(withFormBodies(api.getOpenAPI31Document(OPENAPI_INFO)), requireKey);
      cached.set(requireKey, doc);
    }
    return doc;
  };
  const docs = new OpenAPIHono<AppEnv>();
  docs.get('/openapi.json', (c) => {
    c.header('cache-control', 'public, max-age=300');
    // c.var.deps: the API's withDeps runs before this router (app.ts mounts it after the API).
    return c.json(document(c.var.deps.config.REQUIRE_API_KEY));
  });
  docs.get('/docs', async (c) => {
    swaggerPolicy ??= swaggerCsp(await inlineScriptHashes(SWAGGER_HTML));
    c.header('content-security-policy', swaggerPolicy);
    return c.html(SWAGGER_HTML);
  });
  docs.get('/redocs', (c) => {
    c.header('content-security-policy', REDOCS_CSP);
    return c.html(REDOC_HTML);
  });
  return docs;
}

/** The keys of an OpenAPI path item that hold operations (OpenAPI 3.1 §4.8.9). */
const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
type RequireApiKey = AppEnv['Variables']['deps']['config']['REQUIRE_API_KEY'];
type SecurityRequirement = Record<string, string[]>;
type Paths = Record<string, Record<string, { requestBody?: { content?: Record<string, unknown> }; security?: SecurityRequirement[] }>>;

/** Adds the form media type (same schema as JSON) to the routes formAsJson() serves. */
function withFormBodies<T extends { paths?: unknown }>(doc: T): T {
  const paths = doc.paths as Paths | undefined;
  for (const entry of FORM_ALSO) {
    const [method, path] = entry.split(' ') as [string, string];
    const content = paths?.[path]?.[method]?.requestBody?.content;
    if (content?.['application/json']) content['application/x-www-form-urlencoded'] = content['application/json'];
  }
  return doc;
}

/**
 * Lists the ApiKey scheme on every operation that src/middleware/api-key.ts checks a key on
 * (every path but keyNeverRequired's), so Swagger UI sends an authorized key with it. The routes
 * declare only `security: bearer` (or nothing); each of their alternatives gains ApiKey: with
 * REQUIRE_API_KEY=off as one more alternative (`[{bearer}, {bearer, ApiKey}]`, a public route
 * `[{}, {ApiKey}]`), with it on in place (`[{bearer, ApiKey}]`, `[{ApiKey}]`). The operations
 * under keyNeverRequired keep what they declare. New arrays throughout: the routes share theirs.
 */
function withKeyAlternatives<T extends { paths?: unknown }>(doc: T, requireKey: RequireApiKey): T {
  const paths = (doc.paths ?? {}) as Paths;
  for (const [path, item] of Object.entries(paths)) {
    if (keyNeverRequired(path)) continue;
    for (const [method, operation] of Object.entries(item)) {
      if (!METHODS.has(method)) continue;
      const declared = operation.security?.length ? operation.security : [{}];
      const withKey = declared.map((requirement) => ({ ...requirement, ApiKey: [] }));
      operation.security = requireKey === 'on' ? withKey : [...declared.map((requirement) => ({ ...requirement })), ...withKey];
    }
  }
  return doc;
}
