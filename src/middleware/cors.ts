import { createMiddleware } from 'hono/factory';
import { loadConfig, type Config } from '../config';
import type { AppEnv } from '../env';

/** Methods and request headers a browser may use cross-origin (bearer tokens, JSON bodies). */
export const CORS_ALLOW_METHODS = 'GET, POST, PUT, PATCH, DELETE';
export const CORS_ALLOW_HEADERS = 'Authorization, Content-Type';
/** Response headers a cross-origin script may read beyond the safelisted ones. */
export const CORS_EXPOSE_HEADERS = 'Retry-After, WWW-Authenticate, Location';
/** How long a browser may cache a preflight answer (Chromium caps it at 7200 s). */
export const CORS_MAX_AGE = '600';

const allowed = new WeakMap<Config, ReadonlySet<string>>();

/**
 * The configured origins that are exact serialized origins (`https://app.example`,
 * `http://localhost:5173`). `*`, `null`, paths and trailing slashes are ignored with a
 * warning: reflecting those would open the API to origins nobody listed.
 */
function allowedOrigins(config: Config): ReadonlySet<string> {
  let set = allowed.get(config);
  if (set) return set;
  const valid: string[] = [];
  for (const entry of config.CORS_ORIGINS) {
    let origin: string | undefined;
    try {
      origin = new URL(entry).origin;
    } catch {
      // not a URL: ignored below
    }
    if (origin === entry && origin !== 'null') valid.push(entry);
    else console.warn(JSON.stringify({ level: 'warn', error: 'config', message: `CORS_ORIGINS entry ignored: ${JSON.stringify(entry)}` }));
  }
  set = new Set(valid);
  allowed.set(config, set);
  return set;
}

function addVary(headers: Headers) {
  const vary = headers.get('vary');
  if (!vary) headers.set('vary', 'Origin');
  else if (!vary.split(',').some((v) => v.trim().toLowerCase() === 'origin' || v.trim() === '*')) headers.set('vary', `${vary}, Origin`);
}

/**
 * CORS for the origins in CORS_ORIGINS only (exact match, never `*`, never an echo of an
 * unlisted Origin), without credentials: the API authenticates with bearer tokens, not
 * cookies. A listed origin's preflight is answered `204` here; anything else goes on to the
 * routes untouched (an unlisted preflight then gets no CORS headers, so the browser stops).
 * Every response carries `Vary: Origin`, as it depends on the Origin header.
 */
export const cors = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    const origin = c.req.header('origin');
    let origins: ReadonlySet<string> = new Set();
    try {
      origins = allowedOrigins(loadConfig(c.env));
    } catch {
      // A broken configuration is reported by the context middleware (503); no CORS then.
    }
    const listed = origin !== undefined && origins.has(origin);

    if (listed && c.req.method === 'OPTIONS' && c.req.header('access-control-request-method')) {
      return new Response(null, {
        status: 204,
        headers: {
          'access-control-allow-origin': origin,
          'access-control-allow-methods': CORS_ALLOW_METHODS,
          'access-control-allow-headers': CORS_ALLOW_HEADERS,
          'access-control-max-age': CORS_MAX_AGE,
          vary: 'Origin',
        },
      });
    }

    await next();
    const headers = c.res.headers;
    addVary(headers);
    if (listed) {
      headers.set('access-control-allow-origin', origin);
      headers.set('access-control-expose-headers', CORS_EXPOSE_HEADERS);
    }
  });
