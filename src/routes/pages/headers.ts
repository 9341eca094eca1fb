import { createMiddleware } from 'hono/factory';
import { randomToken } from '../../lib/encoding';
import type { PageEnv } from './page-env';

/**
 * The pages' policy: no inline or evaluated script at all; a page that loads one (Turnstile's
 * widget, only when it is configured) allows it by this response's nonce and names its origin,
 * which is the only third-party origin a page ever names. Forms post only to this origin, no
 * framing, no <base>.
 */
export function pageCsp(nonce: string, scripts: string[]): string {
  const origins = [...new Set(scripts.map((s) => new URL(s).origin))];
  return [
    "default-src 'none'",
    scripts.length > 0 ? `script-src 'nonce-${nonce}' ${origins.join(' ')}` : "script-src 'none'",
    "style-src 'self'",
    "img-src 'self'",
    ...(origins.length > 0 ? [`frame-src ${origins.join(' ')}`] : []),
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

/** A nonce per response and the policy set from what the page loaded (the global headers then keep it). */
export const pageHeaders = () =>
  createMiddleware<PageEnv>(async (c, next) => {
    const nonce = randomToken(16);
    c.set('nonce', nonce);
    c.set('scripts', []);
    await next();
    c.res.headers.set('content-security-policy', pageCsp(nonce, c.var.scripts ?? []));
  });
