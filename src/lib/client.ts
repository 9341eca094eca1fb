/** Where a request came from, as recorded on login records and sessions. */
export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
  country: string | null;
}

const MAX_USER_AGENT = 512;

/**
 * Reads the client from Cloudflare's own signals only. `CF-Connecting-IP` is set by the edge
 * and cannot be forged by the client; X-Forwarded-For, X-Real-IP and True-Client-IP can, so
 * they are never consulted.
 */
export function clientInfo(request: Request): ClientInfo {
  const ip = request.headers.get('cf-connecting-ip');
  const userAgent = request.headers.get('user-agent');
  const cf = (request as { cf?: { country?: unknown } }).cf;
  return {
    ip: ip && ip.length <= 64 ? ip : null,
    userAgent: userAgent ? userAgent.slice(0, MAX_USER_AGENT) : null,
    country: typeof cf?.country === 'string' ? cf.country : null,
  };
}
