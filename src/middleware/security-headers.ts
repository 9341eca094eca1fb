import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';

/** JSON responses load nothing and may not be framed: the policy of every response that sets none. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'";
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
    // A router that serves documents (the docs, the pages) sets its own policy; the API loads nothing.
    if (!h.has('content-security-policy')) h.set('content-security-policy', API_CSP);
    if (!h.has('cache-control')) h.set('cache-control', 'no-store');
  });
