// Turns a generated FuzzRequest into a real Request against the Worker, and judges the answer
// against the OpenAPI document: no 5xx, errors in the right shape, bodies exactly as documented.
import { exports } from 'cloudflare:workers';
import { BASE } from '../helpers/api';
import type { BodySpec, FuzzRequest, Operation } from './requests';
import { validate, type Doc, type Schema } from './schema';

export interface Identity {
  uuid: string;
  username: string;
  email: string;
  password: string;
  access: string;
  refresh: string;
  /** Ids of this identity's own records (its uuid, login records, sessions). */
  own: string[];
}
export interface FuzzContext {
  user: Identity;
  admin: Identity;
  /** Ids of real resources (login records, sessions, photos, users) for path params. */
  known: string[];
}

/** Puts the fuzzing user's real credentials where the generator left «placeholders» (raw or form-encoded). */
function fillCredentials(text: string, user: Identity): string {
  const values: Record<string, string> = { username: user.username, email: user.email, password: user.password, refresh: user.refresh, access: user.access };
  return text.replace(
    /«(username|email|password|refresh|access)»|%C2%AB(username|email|password|refresh|access)%C2%BB/g,
    (_, raw?: string, encoded?: string) => (raw ? values[raw]! : encodeURIComponent(values[encoded!]!)),
  );
}

function bodyInit(body: BodySpec, headers: Headers, user: Identity): BodyInit | undefined {
  if (body.kind === 'none') return undefined;
  if (body.contentType !== undefined) headers.set('content-type', body.contentType);
  if (body.kind === 'bytes') return new Uint8Array(body.bytes);
  if (body.kind === 'multipart') {
    const form = new FormData();
    for (const f of body.fields) {
      form.append(f.name, typeof f.value === 'string' ? f.value : new File([new Uint8Array(f.value.bytes)], f.value.filename, { type: f.value.type }));
    }
    if (body.contentType === undefined) return form; // fetch writes the multipart content type with its boundary
    return new Response(form).body!;
  }
  const text = fillCredentials(body.text, user);
  if (!body.chunked) return text;
  // A stream has no Content-Length: the body limit must hold for chunked uploads too.
  const bytes = new TextEncoder().encode(text);
  return new ReadableStream({
    start(controller) {
      for (let i = 0; i < bytes.length; i += 4096) controller.enqueue(bytes.subarray(i, i + 4096));
      controller.close();
    },
  });
}

/**
 * The Request, and whether it still addresses `op`: dot segments ('..', '%2e%2e') are resolved by
 * the URL parser, so such a request reaches another route and is judged only by the generic rules.
 */
export interface Target {
  pathname: string;
  routed: boolean;
}

export function toRequest(ctx: FuzzContext, op: Operation, req: FuzzRequest): { request: Request; target: Target } {
  const who = req.auth === 'admin' ? ctx.admin : ctx.user;
  const fill = (v: string) =>
    v
      .replace('«self»', who.uuid)
      .replace(/«mine:(\d+)»/, (_, i: string) => who.own[Number(i) % who.own.length] ?? who.uuid)
      .replace(/«known:(\d+)»/, (_, i: string) => ctx.known[ctx.known.length - 1 - (Number(i) % Math.max(ctx.known.length, 1))] ?? who.uuid);
  let path = op.path;
  for (const [name, value] of Object.entries(req.params)) path = path.replace(`{${name}}`, fill(value));
  const query = new URLSearchParams(req.query.map(([k, v]) => [k, v.replace(/[\ud800-\udfff]/g, '?')])).toString();
  const headers = new Headers(req.headers);
  if (req.auth === 'user' || req.auth === 'admin') headers.set('authorization', `Bearer ${who.access}`);
  else if (req.auth === 'user-tampered') headers.set('authorization', `Bearer ${ctx.user.access.slice(0, -2)}${ctx.user.access.endsWith('AA') ? 'BB' : 'AA'}`);
  else if (req.auth !== 'none') headers.set('authorization', req.auth.raw);
  const body = bodyInit(req.body, headers, ctx.user);
  const request = new Request(`${BASE}${path}${query ? `?${query}` : ''}`, {
    method: op.method,
    headers,
    body,
    ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
  } as RequestInit);
  const pathname = new URL(request.url).pathname;
  return { request, target: { pathname, routed: pathname === path } };
}

export const send = (request: Request) => exports.default.fetch(request);

const mediaType = (res: Response) => (res.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
const PROBLEM: Schema = { $ref: '#/components/schemas/Problem' };
const OAUTH_ERROR: Schema = { $ref: '#/components/schemas/OAuthError' };

/**
 * Everything wrong with one response; `undocumented` collects statuses the document lacks.
 * `routed` false (the URL resolved to another path): only the rules that hold for every route.
 */
export async function judge(doc: Doc, op: Operation, res: Response, undocumented: Map<string, string>, { routed, pathname }: Target): Promise<string[]> {
  const problems: string[] = [];
  const type = mediaType(res);
  const isJson = type === 'application/json' || type.endsWith('+json');
  const raw = type.startsWith('image/') ? '' : await res.text();
  let json: unknown;
  if (isJson) {
    try {
      json = JSON.parse(raw);
    } catch {
      problems.push(`${type} body is not JSON: ${raw.slice(0, 100)}`);
    }
  }
  if (res.status >= 500) problems.push(`answered ${res.status}: ${raw.slice(0, 300)}`);
  if (res.status >= 400) {
    const oauth = routed ? op.oauth : /^\/token(\/revoke)?$/.test(pathname);
    const expected = oauth ? 'application/json' : 'application/problem+json';
    if (type !== expected) problems.push(`error ${res.status} as ${type || 'no content type'}, expected ${expected}`);
    else problems.push(...validate(doc, oauth ? OAUTH_ERROR : PROBLEM, json));
    if (!oauth && (json as { status?: unknown })?.status !== res.status)
      problems.push(`problem status ${(json as { status?: unknown })?.status} on a ${res.status}`);
    // The token endpoint's invalid_client challenges HTTP Basic (RFC 6749 §5.2); everything else Bearer (RFC 6750).
    const challenge = oauth ? /^Basic\b/ : /^Bearer\b/;
    if (res.status === 401 && !challenge.test(res.headers.get('www-authenticate') ?? ''))
      problems.push(`401 without WWW-Authenticate: ${oauth ? 'Basic' : 'Bearer'}`);
  }
  if (!routed) return problems;
  const documented = op.responses[String(res.status)];
  if (!documented) {
    const key = `${op.method} ${op.path} → ${res.status}`;
    if (!undocumented.has(key))
      undocumented.set(
        key,
        (json as { detail?: string; error_description?: string })?.detail ?? (json as { error_description?: string })?.error_description ?? '',
      );
    if (res.status < 400) problems.push(`undocumented success status ${res.status}`);
    return problems;
  }
  const content = documented.content ?? {};
  if (Object.keys(content).length === 0) {
    if (raw.length > 0) problems.push(`${res.status} is documented without a body but has one: ${raw.slice(0, 100)}`);
  } else if (!content[type]) {
    problems.push(`${res.status} as ${type || 'no content type'}, documented as ${Object.keys(content).join(', ')}`);
  } else if (isJson && json !== undefined && content[type]!.schema) {
    problems.push(...validate(doc, content[type]!.schema!, json).map((p) => `${res.status} body ${p}`));
  }
  return problems;
}
