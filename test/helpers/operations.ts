import { body, get } from './api';

/** The methods an OpenAPI path item may hold operations under (OpenAPI 3.1 §4.8.9). */
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** A security requirement: the schemes that must all be satisfied (OpenAPI 3.1 §4.8.30). */
type SecurityRequirement = Record<string, string[]>;

interface Operation {
  security?: SecurityRequirement[];
}

/** The served document, as the worker serves it at /openapi.json. */
export interface OpenApiDocument {
  paths?: Record<string, Partial<Record<(typeof METHODS)[number], Operation>>>;
  security?: SecurityRequirement[];
}

let cached: Promise<OpenApiDocument> | undefined;

/** GET /openapi.json through the worker (fetched once per test file). */
export function openApiDocument(): Promise<OpenApiDocument> {
  cached ??= get('/openapi.json').then(async (res) => {
    if (res.status !== 200) throw new Error(`GET /openapi.json answered ${res.status}`);
    return body<OpenApiDocument>(res);
  });
  return cached;
}

const entries = (doc: OpenApiDocument) =>
  Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m] !== undefined).map((m) => ({ key: `${m.toUpperCase()} ${path}`, operation: item[m]! })),
  );

/**
 * Every operation of the served document as `'METHOD /path/{param}'` (upper-case method, the
 * document's path template), sorted: what the cross-cutting tables must each cover.
 */
export async function operationsOf(): Promise<string[]> {
  return entries(await openApiDocument())
    .map((e) => e.key)
    .sort();
}

/**
 * The operations that need a bearer token: every alternative of their `security` (their own,
 * or the document's top-level one when they declare none; `security: []` opts out) names the
 * `bearer` scheme. The API key is only ever an addition (`[{bearer}, {bearer, ApiKey}]`); an
 * operation that takes it alone or nothing (`[{}, {ApiKey}]`) needs no token. Sorted.
 */
export async function securedOperationsOf(): Promise<string[]> {
  const doc = await openApiDocument();
  const needsBearer = (security: SecurityRequirement[]) => security.length > 0 && security.every((alternative) => 'bearer' in alternative);
  return entries(doc)
    .filter((e) => needsBearer(e.operation.security ?? doc.security ?? []))
    .map((e) => e.key)
    .sort();
}

/**
 * Served by the worker but not described in /openapi.json: the documents themselves (the docs
 * router mounts them outside the OpenAPI registry). The tables cover them too.
 */
export const UNDOCUMENTED = ['GET /docs', 'GET /openapi.json', 'GET /redocs'];

/**
 * Where a table and the worker disagree: `missing`, operations of the document (and
 * UNDOCUMENTED) the table has no entry for; `unknown`, names in the table that are neither;
 * `documented`, UNDOCUMENTED entries the document now has (move them out of that list).
 * A table that covers everything gets `{ missing: [], unknown: [], documented: [] }`.
 */
export async function coverage(table: Iterable<string>) {
  const operations = await operationsOf();
  const served = [...operations, ...UNDOCUMENTED.filter((op) => !operations.includes(op))].sort();
  const names = new Set(table);
  return {
    missing: served.filter((op) => !names.has(op)),
    unknown: [...names].filter((name) => !served.includes(name)).sort(),
    documented: UNDOCUMENTED.filter((op) => operations.includes(op)),
  };
}
