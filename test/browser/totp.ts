/**
 * The code an authenticator app would show, computed the way RFC 6238 says, with Node's crypto
 * only (not the worker's src/lib/totp.ts, so a bug there cannot agree with itself): HMAC-SHA-1
 * of the 8-byte big-endian step with the base32-decoded key, dynamic truncation, 6 digits.
 *
 * @example
 * const secret = (await page.locator('code.secret').textContent())!.replace(/\s/g, '');
 * await field(page, '6-digit code').fill(totpCode(secret));           // the step of now
 * await field(page, '…').fill(totpCode(secret, currentStep() + 1));  // the next one
 */
import { createHmac } from 'node:crypto';

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 (no padding, spaces ignored, upper case) to bytes; throws on anything else. */
export function base32ToBytes(text: string): Buffer {
  const bytes: number[] = [];
  let buffer = 0;
  let bits = 0;
  for (const ch of text.replace(/\s/g, '')) {
    const value = BASE32.indexOf(ch);
    if (value < 0) throw new Error(`not base32: ${JSON.stringify(ch)} in ${JSON.stringify(text)}`);
    buffer = ((buffer << 5) | value) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      bytes.push((buffer >>> bits) & 0xff);
    }
  }
  return Buffer.from(bytes);
}

/** The 30-second step of a time in milliseconds (T0 = 0). */
export const currentStep = (ms = Date.now()) => Math.floor(ms / 30_000);

/** The 6-digit code of `step` for the base32 key `secret`. */
export function totpCode(secret: string, step = currentStep()): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', base32ToBytes(secret)).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(binary).padStart(6, '0');
}
