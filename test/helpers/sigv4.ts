/**
 * An independent AWS Signature Version 4 check (the algorithm from the AWS SigV4 documentation),
 * written from the spec rather than with the library under test, so a request signed wrongly
 * fails here even if aws4fetch and our call to it agreed on the mistake.
 */
const enc = new TextEncoder();
const hex = (buf: ArrayBuffer) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');
const sha256 = async (data: string | Uint8Array) => hex(await crypto.subtle.digest('SHA-256', typeof data === 'string' ? enc.encode(data) : data));
async function hmac(key: ArrayBuffer | Uint8Array, data: string): Promise<ArrayBuffer> {
  const k = await crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return crypto.subtle.sign('HMAC', k, enc.encode(data));
}

export interface ParsedAuthorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
}

const AUTH = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

export function parseAuthorization(header: string | null): ParsedAuthorization | null {
  const m = AUTH.exec(header ?? '');
  if (!m) return null;
  return { accessKeyId: m[1]!, date: m[2]!, region: m[3]!, service: m[4]!, signedHeaders: m[5]!.split(';'), signature: m[6]! };
}

/** The signature the request should carry, recomputed from its method, URL, headers and body. */
export async function expectedSignature(
  request: { method: string; url: string; headers: Headers },
  body: Uint8Array,
  secret: string,
  auth: ParsedAuthorization,
) {
  const url = new URL(request.url);
  const headerValue = (name: string) => (name === 'host' ? url.host : (request.headers.get(name) ?? '').trim().replace(/\s+/g, ' '));
  const canonicalRequest = [
    request.method,
    url.pathname,
    url.search.slice(1),
    ...auth.signedHeaders.map((h) => `${h}:${headerValue(h)}`),
    '',
    auth.signedHeaders.join(';'),
    await sha256(body),
  ].join('\n');
  const amzDate = request.headers.get('x-amz-date') ?? '';
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, await sha256(canonicalRequest)].join('\n');
  let key: ArrayBuffer = await hmac(enc.encode(`AWS4${secret}`), auth.date);
  for (const part of [auth.region, auth.service, 'aws4_request']) key = await hmac(key, part);
  return hex(await hmac(key, stringToSign));
}
