import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { app } from '../../src/app';
import worker from '../../src/index';
import { keyNeverRequired } from '../../src/middleware/api-key';
import { isPagePath } from '../../src/routes/pages/page-errors';
import { body, buildRequest, get } from '../helpers/api';

type Operation = {
  security?: Record<string, string[]>[];
  summary?: string;
  responses: Record<string, { content?: Record<string, unknown> }>;
  requestBody?: { content: Record<string, unknown> };
};
type Document = {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components: {
    securitySchemes: Record<
      string,
      { type: string; in?: string; name?: string; flows?: { password?: { tokenUrl: string }; clientCredentials?: { tokenUrl: string } } }
    >;
  };
};

/** The documents themselves are not API operations, nor are the pages for people. */
const NOT_OPERATIONS = new Set(['/openapi.json', '/docs', '/redocs']);
const notAnOperation = (path: string) => NOT_OPERATIONS.has(path) || isPagePath(path);

/** `METHOD /path/{param}` for every route the app serves (Hono writes params as `:param`). */
const servedRoutes = () =>
  new Set(
    app.routes
      .filter((r) => r.method !== 'ALL' && !r.path.includes('*') && !notAnOperation(r.path))
      .map((r) => `${r.method} ${r.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`),
  );

const documentedRoutes = (doc: Document) =>
  new Set(Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`)));

const operations = (doc: Document) =>
  Object.entries(doc.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ route: `${method.toUpperCase()} ${path}`, op })));

async function fetchDocument(vars?: Record<string, string>): Promise<Document> {
  let res: Response;
  if (vars) {
    // Another configuration for this one request: the worker reads its env per request.
    const ctx = createExecutionContext();
    res = await worker.fetch(buildRequest('GET', '/openapi.json'), { ...env, ...vars } as never, ctx);
    await waitOnExecutionContext(ctx);
  } else {
    res = await get('/openapi.json');
  }
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  return body<Document>(res);
}

/** The operations that need no bearer token (every other one does). */
const PUBLIC = new Set([
  'GET /',
  'GET /health',
  'GET /.well-known/jwks.json',
  'POST /user',
  'POST /token',
  'POST /token/revoke',
  'GET /.well-known/oauth-authorization-server',
  'POST /password/forgot',
  'POST /password/reset',
  'POST /email/verify',
]);
/** Of those, the ones src/middleware/api-key.ts never asks a key of. */
const OPEN = new Set(['GET /', 'GET /health', 'GET /.well-known/jwks.json', 'GET /.well-known/oauth-authorization-server']);

describe('GET /openapi.json', () => {
  it('is an OpenAPI 3.1 document of this service', async () => {
    const doc = await fetchDocument();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toBe('UserAuth on the edge');
  });

  it('lists every route the app serves, and nothing it does not', async () => {
    const served = servedRoutes();
    expect(served.size).toBeGreaterThan(20);
    expect([...documentedRoutes(await fetchDocument())].sort()).toEqual([...served].sort());
  });

  it('declares the OAuth2 password flow through /token for Swagger UI', async () => {
    const { components } = await fetchDocument();
    expect(components.securitySchemes.bearer).toMatchObject({ type: 'oauth2', flows: { password: { tokenUrl: '/token' } } });
  });

  it('declares to Swagger UI the ApiKey scheme (X-API-Key header) and the OAuth2 client-credentials flow', async () => {
    const page = await (await get('/docs')).text();
    expect(page).toContain('/openapi.json');
    const { components } = await fetchDocument();
    expect(components.securitySchemes.ApiKey).toEqual(expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-API-Key' }));
    expect(components.securitySchemes.bearer).toMatchObject({ type: 'oauth2', flows: { clientCredentials: { tokenUrl: '/token' } } });
  });

  it('marks every bearer route with security and a 401, and only those, each with the API key as an alternative', async () => {
    const doc = await fetchDocument();
    for (const { route, op } of operations(doc)) {
      if (OPEN.has(route)) {
        expect(op.security ?? [], route).toEqual([]);
      } else if (PUBLIC.has(route)) {
        expect(op.security, route).toEqual([{}, { ApiKey: [] }]);
      } else {
        // Every alternative needs the token; one of them also sends the key.
        expect(op.security, route).toEqual([{ bearer: [] }, { bearer: [], ApiKey: [] }]);
        expect(Object.keys(op.responses), route).toContain('401');
      }
    }
  });

  it('lists the API key on exactly the operations the key middleware checks it on', async () => {
    for (const { route, op } of operations(await fetchDocument())) {
      const path = route.split(' ')[1]!;
      const takesKey = (op.security ?? []).some((alternative) => 'ApiKey' in alternative);
      expect(takesKey, route).toBe(!keyNeverRequired(path));
      expect(OPEN.has(route), route).toBe(keyNeverRequired(path));
    }
  });

  it('with REQUIRE_API_KEY=on, asks for the API key on every operation but the open ones', async () => {
    const doc = await fetchDocument({ REQUIRE_API_KEY: 'on' });
    for (const { route, op } of operations(doc)) {
      if (OPEN.has(route)) expect(op.security ?? [], route).toEqual([]);
      else if (PUBLIC.has(route)) expect(op.security, route).toEqual([{ ApiKey: [] }]);
      else expect(op.security, route).toEqual([{ bearer: [], ApiKey: [] }]);
    }
    // And the default document is still the one served with the setting off (one cached per value).
    expect((await fetchDocument()).paths['/user/me']!.get!.security).toEqual([{ bearer: [] }, { bearer: [], ApiKey: [] }]);
    expect((await fetchDocument({ REQUIRE_API_KEY: 'off' })).paths['/user/me']!.get!.security).toEqual([{ bearer: [] }, { bearer: [], ApiKey: [] }]);
  });

  it('gives every operation a summary and a success response, and problem+json for errors', async () => {
    for (const { route, op } of operations(await fetchDocument())) {
      expect(op.summary, route).toBeTruthy();
      expect(
        Object.keys(op.responses).some((s) => s.startsWith('2')),
        route,
      ).toBe(true);
      // RFC 6749 error bodies on /token; /health's 503 is the health report itself.
      if (route.startsWith('POST /token') || route === 'GET /health') continue;
      for (const [status, response] of Object.entries(op.responses)) {
        if (Number(status) >= 400 && response.content) expect(Object.keys(response.content), `${route} ${status}`).toContain('application/problem+json');
      }
    }
  });

  it('documents sign-up as JSON and as a urlencoded form', async () => {
    const doc = await fetchDocument();
    expect(Object.keys(doc.paths['/user']!.post!.requestBody!.content).sort()).toEqual(['application/json', 'application/x-www-form-urlencoded']);
  });

  it('documents 404 on every route that names a resource by id', async () => {
    for (const { route, op } of operations(await fetchDocument())) {
      if (/\{(uuid|id)\}/.test(route)) expect(Object.keys(op.responses), route).toContain('404');
    }
  });
});
