/**
 * The documentation pages' Content-Security-Policies. Both pages load their scripts and styles
 * from this Worker only ('self': the vendored packages under /vendor/, see vendor.ts) and name
 * no other origin, so they work offline and a compromised CDN cannot reach them. Neither allows
 * 'unsafe-eval' or inline scripts; connect-src 'self' lets them fetch /openapi.json (and Swagger
 * UI call /token and the API). Checked in a browser by test/browser/docs.test.ts, which fails on
 * any violation report.
 */

/**
 * /docs (Swagger UI): the bundle from 'self' plus exactly one inline bootstrap, allowed by its
 * SHA-256 (CSP Level 2), so an injected script would not run. Styles: its stylesheet only, no
 * 'unsafe-inline' (React sets styles through the CSSOM, which CSP does not govern; the browser
 * test opens operations, the schemas and "Try it out", and logs in, without a violation). Images
 * are its data: SVG icons.
 */
export const swaggerCsp = (scriptHashes: string[]) =>
  [
    "default-src 'none'",
    `script-src ${["'self'", ...scriptHashes.map((h) => `'sha256-${h}'`)].join(' ')}`,
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
  ].join('; ');

/**
 * /redocs (ReDoc): its standalone bundle from 'self' and no inline script. ReDoc writes its
 * styles at run time (styled-components `<style>` elements and style attributes), hence inline
 * styles; its search index runs in a Web Worker it makes from a blob: URL, hence worker-src blob:.
 * Images: the data: icons of its theme.
 */
export const REDOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  'worker-src blob:',
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

const INLINE_SCRIPT = /<script(?![^>]*\bsrc\s*=)[^>]*>([\s\S]*?)<\/script>/gi;

/** The base64 SHA-256 of each inline script of a page, as CSP hash sources want them. */
export async function inlineScriptHashes(html: string): Promise<string[]> {
  const scripts = [...html.matchAll(INLINE_SCRIPT)].map((m) => m[1] ?? '');
  const digests = await Promise.all(scripts.map((s) => crypto.subtle.digest('SHA-256', new TextEncoder().encode(s))));
  return digests.map((d) => btoa(String.fromCharCode(...new Uint8Array(d))));
}
