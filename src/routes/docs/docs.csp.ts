import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../../env';

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
let swaggerPolicy: { html: string; csp: string } | undefined;

/** Sets /docs' own policy from the page it serves (the global headers leave a route's CSP alone). */
export const swaggerCsp = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    await next();
    const html = await c.res.clone().text();
    if (swaggerPolicy?.html !== html) swaggerPolicy = { html, csp: docsCsp(await inlineScriptHashes(html)) };
    c.res.headers.set('content-security-policy', swaggerPolicy.csp);
  });
