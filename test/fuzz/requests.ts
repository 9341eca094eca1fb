// The operations of the OpenAPI document and a fast-check arbitrary of hostile requests for
// each: path params, queries, headers, Authorization and bodies in every content type.
// Requests are plain data (printable in a counterexample); tokens and known ids are filled in
// at send time from placeholders («self», «known:N»).
import fc from 'fast-check';
import type { Doc, Schema } from './schema';
import { mutatedJson, nastyString, rawJsonText, valueArb } from './values';

export interface Operation {
  method: string;
  path: string;
  pathParams: string[];
  query: { name: string; schema: Schema }[];
  body?: { schemas: Record<string, Schema> };
  responses: Record<string, { content?: Record<string, { schema?: Schema }> }>;
  /** The token endpoints answer RFC 6749 JSON errors instead of problem+json. */
  oauth: boolean;
}

type Param = { name: string; in: string; schema?: Schema };
type RawOp = { parameters?: Param[]; requestBody?: { content?: Record<string, { schema?: Schema }> }; responses?: Operation['responses'] };

export function operations(doc: Doc & { paths: Record<string, Record<string, RawOp>> }): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      const params = op.parameters ?? [];
      const content = op.requestBody?.content;
      out.push({
        method: method.toUpperCase(),
        path,
        pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
        query: params.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema ?? {} })),
        body: content ? { schemas: Object.fromEntries(Object.entries(content).map(([t, c]) => [t, c.schema ?? {}])) } : undefined,
        responses: op.responses ?? {},
        oauth: path === '/token' || path === '/token/revoke',
      });
    }
  }
  return out;
}

export type AuthSpec = 'none' | 'user' | 'admin' | 'user-tampered' | { raw: string };
export type BodySpec =
  | { kind: 'none' }
  | { kind: 'text'; contentType?: string; text: string; chunked: boolean }
  | { kind: 'bytes'; contentType?: string; bytes: number[] }
  | { kind: 'multipart'; contentType?: string; fields: { name: string; value: string | { bytes: number[]; type: string; filename: string } }[] };

export interface FuzzRequest {
  auth: AuthSpec;
  params: Record<string, string>;
  query: [string, string][];
  headers: [string, string][];
  body: BodySpec;
}

const b64 = (s: string) => btoa(s).replaceAll('+', '-').replaceAll('/', '_').replaceAll('=', '');
const ALG_NONE = `${b64('{"alg":"none","typ":"at+jwt"}')}.${b64('{"sub":"00000000-0000-4000-8000-000000000000","role":"admin","exp":9999999999}')}.`;

const authArb: fc.Arbitrary<AuthSpec> = fc.oneof(
  { weight: 2, arbitrary: fc.constant('none' as const) },
  { weight: 5, arbitrary: fc.constant('user' as const) },
  { weight: 2, arbitrary: fc.constant('admin' as const) },
  { weight: 1, arbitrary: fc.constant('user-tampered' as const) },
  {
    weight: 2,
    arbitrary: fc
      .oneof(
        fc.constantFrom(
          'Bearer',
          'Bearer ',
          'Bearer x.y.z',
          'Basic dXNlcjpwYXNz',
          `Bearer ${ALG_NONE}`,
          'Bearer a.b',
          `Bearer ${'a'.repeat(9000)}`,
          'Digest x',
          'bearer  two  spaces',
        ),
        fc.string({ maxLength: 80 }).map((s) => `Bearer ${s}`),
      )
      .map((v) => ({ raw: v.replace(/[^\t\x20-\x7e]/g, '?') })),
  },
);

/** Percent-encodes text; text with a lone surrogate gets the invalid UTF-8 bytes %ED%A0%80 instead. */
function encodeSegment(s: string) {
  try {
    return encodeURIComponent(s);
  } catch {
    return `${encodeURIComponent(s.replace(/[\ud800-\udfff]/g, ''))}%ED%A0%80`;
  }
}

/** A path segment (placeholders filled in by send.ts): mostly meaningful ids, often hostile text (already percent-encoded or raw). */
const segmentArb = fc.oneof(
  { weight: 4, arbitrary: fc.constant('«self»') },
  // «known:N» is the Nth most recently seen id (recent ones belong to the current identities).
  { weight: 3, arbitrary: fc.oneof(fc.nat({ max: 6 }), fc.nat({ max: 60 })).map((i) => `«known:${i}»`) },
  { weight: 3, arbitrary: fc.nat({ max: 6 }).map((i) => `«mine:${i}»`) },
  { weight: 2, arbitrary: fc.uuid() },
  {
    weight: 2,
    arbitrary: fc
      .oneof(
        fc.string({ maxLength: 60 }),
        nastyString.filter((s) => s.length < 2000),
      )
      .map(encodeSegment),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '..',
      '../..',
      '..%2F..%2Fetc%2Fpasswd',
      '%2e%2e',
      'me',
      'me%2F..',
      '%',
      '%zz',
      '%00',
      '%ud800',
      ' ',
      '.',
      'a'.repeat(5000),
      'ME',
      '00000000-0000-0000-0000-000000000000',
    ),
  },
);

function queryArb(op: Operation, doc: Doc): fc.Arbitrary<[string, string][]> {
  const one = (q: Operation['query'][number]) =>
    fc.option(
      fc
        .oneof(
          { weight: 4, arbitrary: valueArb(doc, q.schema).map((v) => (typeof v === 'string' ? v : JSON.stringify(v))) },
          { weight: 1, arbitrary: nastyString.filter((s) => s.length < 3000) },
          { weight: 1, arbitrary: fc.constant('') },
        )
        .map((v) => [q.name, v] as [string, string]),
      { freq: 3 },
    );
  return fc
    .tuple(
      fc.tuple(...op.query.map(one)),
      fc.option(fc.tuple(fc.constantFrom('limit', 'cursor', 'deep', 'role', 'status', '__proto__', 'x'), fc.string({ maxLength: 20 })), { freq: 6 }),
      fc.boolean(),
    )
    .map(([known, extra, repeat]) => {
      const pairs = known.filter((p): p is [string, string] => p !== null);
      if (extra) pairs.push(extra);
      if (repeat && pairs[0]) pairs.push(pairs[0]);
      return pairs;
    });
}

const headersArb = fc.subarray<[string, string]>([
  ['accept', 'text/html'],
  ['accept', '*/*;q=0'],
  ['x-forwarded-for', '203.0.113.9, 10.0.0.1'],
  ['true-client-ip', '198.51.100.1'],
  ['origin', 'https://evil.example'],
  ['x-http-method-override', 'DELETE'],
  ['content-encoding', 'gzip'],
  ['accept-encoding', 'br'],
  ['cookie', 'session=abc; role=admin'],
  ['x-request-id', '\u0000'.replace('\u0000', '%00')],
  ['if-none-match', '*'],
]);

const PNG_1X1 = [...atob('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==')].map((c) => c.charCodeAt(0));
const fileArb = fc.record({
  bytes: fc
    .oneof(
      fc.constant(PNG_1X1),
      fc.constant([0xff, 0xd8, 0xff]),
      fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 64 }),
      fc.constant([...'<svg xmlns="http://www.w3.org/2000/svg"/>'].map((c) => c.charCodeAt(0))),
    )
    .map((b): number[] => [...b]),
  type: fc.constantFrom('image/png', 'image/jpeg', 'image/svg+xml', 'application/octet-stream', ''),
  filename: fc.constantFrom('me.png', '../../x.png', 'a'.repeat(300), 'photo'),
});
const multipartArb: fc.Arbitrary<BodySpec> = fc
  .record({
    contentType: fc.constantFrom(undefined, undefined, undefined, 'multipart/form-data', 'multipart/form-data; boundary=nope', 'multipart/mixed'),
    fields: fc.array(fc.record({ name: fc.constantFrom('file', 'file', 'photo', ''), value: fc.oneof(fileArb, fc.string({ maxLength: 30 })) }), {
      maxLength: 3,
    }),
  })
  .map((m) => ({ kind: 'multipart' as const, ...m }));

const WRONG_TYPES = [
  undefined,
  'text/plain',
  'application/xml',
  'multipart/form-data; boundary=zzz',
  'application/json; charset=utf-16',
  'a/b;;=',
  'application/x-www-form-urlencoded',
  'application/json',
  'APPLICATION/JSON; CHARSET=UTF-8',
];
const formText = (v: unknown) =>
  new URLSearchParams(
    Object.entries(typeof v === 'object' && v ? (v as Record<string, unknown>) : { v }).map(([k, x]) => [k, typeof x === 'string' ? x : JSON.stringify(x)]),
  ).toString();

function bodyArb(op: Operation, doc: Doc): fc.Arbitrary<BodySpec> {
  const text = (contentType: fc.Arbitrary<string | undefined>, t: fc.Arbitrary<string>) =>
    fc.record({ contentType, text: t, chunked: fc.boolean() }).map((b) => ({ kind: 'text' as const, ...b }));
  const none = fc.constant({ kind: 'none' as const });
  if (!op.body)
    return op.method === 'GET' ? none : fc.oneof({ weight: 4, arbitrary: none }, { weight: 1, arbitrary: text(fc.constantFrom(...WRONG_TYPES), rawJsonText) });
  const arbs: fc.Arbitrary<BodySpec>[] = [none, text(fc.constantFrom(...WRONG_TYPES), rawJsonText)];
  arbs.push(
    fc
      .record({ contentType: fc.constantFrom(undefined, 'application/json'), bytes: fc.array(fc.integer({ min: 0x80, max: 0xff }), { maxLength: 20 }) })
      .map((b) => ({ kind: 'bytes' as const, ...b })),
  );
  for (const [type, schema] of Object.entries(op.body.schemas)) {
    const valid = valueArb(doc, schema);
    if (type.includes('json'))
      arbs.push(...Array(3).fill(text(fc.constantFrom(type, `${type}; charset=utf-8`), mutatedJson(valid))), text(fc.constant(type), rawJsonText));
    if (type.includes('urlencoded')) {
      const raw = fc.oneof(
        valid.map(formText),
        fc.string({ maxLength: 200 }),
        fc.constantFrom('%', '&&&=&', 'a=%zz', '__proto__[role]=admin&role=admin', 'grant_type=password&grant_type=refresh_token', `x=${'y'.repeat(20_000)}`),
      );
      arbs.push(text(fc.constant(type), valid.map(formText)), text(fc.constant(type), valid.map(formText)), text(fc.constant(type), raw));
    }
    if (type.startsWith('multipart/')) arbs.push(multipartArb, multipartArb, multipartArb, multipartArb);
  }
  return fc.oneof(...arbs);
}

export function requestArb(op: Operation, doc: Doc): fc.Arbitrary<FuzzRequest> {
  return fc.record({
    auth: authArb,
    params: fc.tuple(...op.pathParams.map(() => segmentArb)).map((values) => Object.fromEntries(op.pathParams.map((n, i) => [n, values[i]!]))),
    query: queryArb(op, doc),
    headers: headersArb,
    body: bodyArb(op, doc),
  });
}
