import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';

const API_CSP = "default-src 'none'; frame-ancestors 'none'";
/** Swagger UI is served from jsDelivr with an inline bootstrap script; nothing else is allowed. */
const DOCS_CSP =
  "default-src 'none'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: https://cdn.jsdelivr.net; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
const REDOCS_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'";

/**
 * Security headers on every response, errors included. HSTS is one year with subdomains
 * (Hono's secureHeaders default is shorter). Responses are `no-store` unless a route chose
 * otherwise (the JWKS may be cached), so no token or user data sits in a shared cache.
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
    h.set('content-security-policy', c.req.path === '/docs' ? DOCS_CSP : c.req.path === '/redocs' ? REDOCS_CSP : API_CSP);
    if (!h.has('cache-control')) h.set('cache-control', 'no-store');
  });
