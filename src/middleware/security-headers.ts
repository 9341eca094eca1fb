import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';

/** JSON responses load nothing and may not be framed. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'";
/** The static /redocs page: its one inline stylesheet, nothing else. */
export const REDOCS_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'";
/** Where @hono/swagger-ui loads Swagger UI's script and stylesheet from. */
const SWAGGER_CDN = 'https://cdn.jsdelivr.net';

/**
 * /docs runs Swagger UI from jsDelivr plus one inline bootstrap script. Rather than
 * 'unsafe-inline', the policy allows exactly that script by its SHA-256 (CSP Level 2), so an
 * injected script would not run. Styles stay 'unsafe-inline': Swagger UI sets style
 * attributes. connect-src 'self' lets it fetch /openapi.json and log in through /token.
 */
export const docsCsp = (scriptHashes: string[]) =>
  [
    "default-src 'none'",
    `script-src ${[SWAGGER_CDN, ...scriptHashes.map((h) => `'sha256-${h}'`)].join(' ')}`,
    `style-src 'unsafe-inline' ${SWAGGER_CDN}`,
    `img-src 'self' data: ${SWAGGER_CDN}`,
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
  ].join('; ');

const INLINE_SCRIPT = /<script(?![^>]*\bsrc\s*=)[^>]*>([\s\S]*?)<\/script>/gi;

/** The base64 SHA-256 of each inline script of a page, as CSP hash sources want them. */
export async function inlineScriptHashes(html: string): Promise<string[]> {
  const scripts = [...html.matchAll(INLINE_SCRIPT)].map((m) => m[1] ?? '');
  const digests = await Promise.all(scripts.map((s) => crypto.subtle.digest('SHA-256', new TextEncoder().encode(s))));
  return digests.map((d) => btoa(String.fromCharCode(...new Uint8Array(d))));
}

/** The docs page is the same for the isolate's life: hash it once (keyed by its text, to stay right if it changes). */
let docsPolicy: { html: string; csp: string } | undefined;

async function docsPolicyFor(res: Response): Promise<string> {
  const html = await res.clone().text();
  if (docsPolicy?.html !== html) docsPolicy = { html, csp: docsCsp(await inlineScriptHashes(html)) };
  return docsPolicy.csp;
}

/**
 * Security headers on every response, errors included. HSTS is one year with subdomains
 * (Hono's secureHeaders default is shorter). Responses are `no-store` unless a route chose
 * otherwise (the JWKS and the OpenAPI document may be cached), so no token or user data sits
 * in a browser or shared cache.
 */
export const securityHeaders = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    await next();
    const h = c.res.headers;
    h.set('strict-transport-security', 'max-age=31536000; includeSubDomains');
    h.set('x-content-type-options', 'nosniff');
    h.set('referrer-policy', 'no-referrer');
    h.set('x-frame-options', 'DENY');
    h.set('cross-origin-opener-policy', 'same-origin');
    const html = (h.get('content-type') ?? '').startsWith('text/html');
    let csp = API_CSP;
    if (html && c.req.path === '/docs') csp = await docsPolicyFor(c.res);
    else if (html && c.req.path === '/redocs') csp = REDOCS_CSP;
    h.set('content-security-policy', csp);
    if (!h.has('cache-control')) h.set('cache-control', 'no-store');
  });
