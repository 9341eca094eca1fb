/**
 * TOTP (RFC 6238) on WebCrypto: HMAC-SHA-1, 6 digits, 30-second steps, the defaults every
 * authenticator app speaks. No dependency: the algorithm is twenty lines of RFC 4226 dynamic
 * truncation, checked against the RFCs' own test vectors (test/unit/totp.test.ts).
 */

export const TOTP_DIGITS = 6;
export const TOTP_STEP_SECONDS = 30;
/** Steps of clock drift accepted either way (SPEC: one). */
export const TOTP_DRIFT_STEPS = 1;
/** 160-bit secrets, the HMAC-SHA-1 block RFC 4226 §4 recommends. */
export const TOTP_SECRET_BYTES = 20;

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 without padding, as otpauth:// URIs carry secrets. */
export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31];
  return out;
}

/** The inverse; spaces, padding and case are forgiven (people type secrets), anything else is null. */
export function base32Decode(text: string): Uint8Array | null {
  const clean = text.replace(/[\s=]/g, '').toUpperCase();
  const out: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const ch of clean) {
    const v = BASE32.indexOf(ch);
    if (v < 0) return null;
    buffer = (buffer << 5) | v;
    bits += 5;
    if (bits >= 8) {
      out.push((buffer >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Uint8Array.from(out);
}

/** The step a Unix time in milliseconds falls in (RFC 6238 §4: T = floor((now - T0) / X), T0 = 0). */
export const stepAt = (ms: number) => Math.floor(ms / 1000 / TOTP_STEP_SECONDS);

const keyCache = new WeakMap<Uint8Array, Promise<CryptoKey>>();
const hmacKey = (secret: Uint8Array) => {
  let key = keyCache.get(secret);
  if (!key) {
    key = crypto.subtle.importKey('raw', Uint8Array.from(secret), { name: 'HMAC', hash: 'SHA-1' }, false, ['sign']);
    keyCache.set(secret, key);
  }
  return key;
};

/** HOTP (RFC 4226 §5.3) of one counter value, `digits` long with leading zeros. */
export async function hotp(secret: Uint8Array, counter: number, digits = TOTP_DIGITS): Promise<string> {
  const message = new Uint8Array(8);
  new DataView(message.buffer).setBigUint64(0, BigInt(counter));
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', await hmacKey(secret), message));
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = ((mac[offset]! & 0x7f) << 24) | (mac[offset + 1]! << 16) | (mac[offset + 2]! << 8) | mac[offset + 3]!;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** The code for the step a time falls in. */
export const totpAt = (secret: Uint8Array, ms: number, digits = TOTP_DIGITS) => hotp(secret, stepAt(ms), digits);

const CODE = /^\d{6}$/;

/** Whether what a person typed is an app's code (six digits, spaces around forgiven) rather than a recovery code. */
export const isTotpCode = (typed: string) => CODE.test(typed.trim());

/**
 * The step `code` is valid for at `ms` (the current one or one either side), or null. Every
 * candidate is computed and compared without an early exit, so the time taken does not say
 * which step matched. The caller refuses a step at or below the last one it accepted (replay).
 */
export async function matchingStep(secret: Uint8Array, code: string, ms: number): Promise<number | null> {
  if (!CODE.test(code)) return null;
  const now = stepAt(ms);
  let found: number | null = null;
  for (let d = -TOTP_DRIFT_STEPS; d <= TOTP_DRIFT_STEPS; d += 1) {
    const candidate = await hotp(secret, now + d);
    let diff = 0;
    for (let i = 0; i < TOTP_DIGITS; i += 1) diff |= candidate.charCodeAt(i) ^ code.charCodeAt(i);
    if (diff === 0 && found === null) found = now + d;
  }
  return found;
}

/**
 * The otpauth:// URI authenticator apps read (Key URI Format): issuer and account in the label and
 * the issuer parameter, the base32 secret, and the defaults spelled out.
 */
export function otpauthUri(issuer: string, account: string, secret: Uint8Array): string {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(account)}`;
  const params = new URLSearchParams({
    secret: base32Encode(secret),
    issuer,
    algorithm: 'SHA1',
    digits: String(TOTP_DIGITS),
    period: String(TOTP_STEP_SECONDS),
  });
  return `otpauth://totp/${label}?${params}`;
}
