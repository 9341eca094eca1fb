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

/**
 * The key all addresses of one unparseable or missing client share. A valid key always
 * contains '.' (IPv4) or ':' (IPv6), so this one cannot collide with a real client's.
 */
export const UNKNOWN_IP_KEY = 'unknown';

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;
const MAX_ADDRESS = 64;

/**
 * An IPv4 dotted quad as four octets, or null. Decimal only, no leading zeros: `010.0.0.1`
 * is octal to inet_aton and decimal to others (RFC 6943 §3.1.1), so it is refused, not guessed.
 */
function parseIpv4(text: string): number[] | null {
  return IPV4.test(text) ? text.split('.').map(Number) : null;
}

/** Text of one `::`-free run of groups (RFC 4291 §2.2), the last possibly a dotted quad. */
function parseGroups(text: string, allowIpv4: boolean): number[] | null {
  if (text === '') return [];
  const parts = text.split(':');
  const groups: number[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (allowIpv4 && i === parts.length - 1 && part.includes('.')) {
      const v4 = parseIpv4(part);
      if (!v4) return null;
      groups.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
    } else if (HEX_GROUP.test(part)) {
      groups.push(parseInt(part, 16));
    } else {
      return null;
    }
  }
  return groups;
}

/** An IPv6 address (any RFC 4291 §2.2 text form, no zone) as eight 16-bit groups, or null. */
function parseIpv6(text: string): number[] | null {
  const halves = text.split('::');
  if (halves.length > 2) return null;
  if (halves.length === 1) {
    const groups = parseGroups(text, true);
    return groups && groups.length === 8 ? groups : null;
  }
  const head = parseGroups(halves[0]!, false);
  const tail = parseGroups(halves[1]!, true);
  // `::` stands for one or more zero groups, so at most seven are written out.
  if (!head || !tail || head.length + tail.length > 7) return null;
  return [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
}

/**
 * RFC 5952 §4 text of a /64 prefix (four groups, then 64 zero bits): lower case, no leading
 * zeros, the longest run of zero groups shortened to `::`. That run is always the trailing
 * one: it holds the four host groups plus any zero groups at the prefix's end, and a run
 * inside the prefix is at most three long, so `0:0:0:1::` and not `::1:0:0:0:0`.
 */
function formatPrefix64(prefix: number[]): string {
  let end = 4;
  while (end > 0 && prefix[end - 1] === 0) end--;
  const hex = prefix.slice(0, end).map((g) => g.toString(16));
  return `${hex.join(':')}::/64`;
}

/**
 * The key per-IP rate limits count under. An IPv6 client is keyed on its /64, not its full
 * address: a /64 is one subnet (RFC 4291 §2.5.4: interface identifiers are 64 bits) and what
 * a single site or customer is typically given (RFC 6177), so one client can pick from 2^64
 * source addresses and keying on the address would give it unlimited attempts.
 *
 * - IPv4 dotted quad: itself (validated; no leading zeros).
 * - IPv6, any textual form (`::`, upper case, leading zeros, embedded dotted quad): the /64
 *   in RFC 5952 canonical text, e.g. `2001:db8:1:2::/64`, so every spelling of an address and
 *   every address in one /64 give the same key. A zone id (`fe80::1%eth0`, RFC 4007 §11) is
 *   dropped: it names the local interface, not the client.
 * - IPv4-mapped IPv6 (`::ffff:192.0.2.1`, RFC 4291 §2.5.5.2): the IPv4 address. Keyed on
 *   its /64 it would land in `::/64`, one bucket for every IPv4 client seen through a
 *   dual-stack socket; mapped, it shares the bucket of its plain IPv4 spelling.
 * - Anything else, and no address at all: UNKNOWN_IP_KEY, never null. All such requests share
 *   that one bucket rather than skipping the limiter: a missing or odd CF-Connecting-IP must
 *   not be a way around the limit (fail closed; in production the edge always sets a valid
 *   address, so the shared bucket only ever holds anomalies).
 */
export function ipLimitKey(ip: string | null | undefined): string {
  if (!ip || ip.length > MAX_ADDRESS) return UNKNOWN_IP_KEY;
  if (parseIpv4(ip)) return ip;
  const zone = ip.indexOf('%');
  if (zone === 0 || zone === ip.length - 1) return UNKNOWN_IP_KEY;
  const groups = parseIpv6(zone < 0 ? ip : ip.slice(0, zone));
  if (!groups) return UNKNOWN_IP_KEY;
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const [hi, lo] = [groups[6]!, groups[7]!];
    return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  }
  return formatPrefix64(groups.slice(0, 4));
}
