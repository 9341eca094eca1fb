import { randomToken, sha256Hex } from '../../lib/encoding';

/** API keys: `ua_` then 32 random bytes (256 bits; SPEC: at least 192) in base64url, 46 characters. */
export const API_KEY_BYTES = 32;
const KEY_SHAPE = /^ua_[A-Za-z0-9_-]{43}$/;
/** What listings show of a key: `ua_` and its first 8 random characters. */
export const KEY_PREFIX_LENGTH = 11;

export const isApiKeyShaped = (key: string) => KEY_SHAPE.test(key);

/** A new key, shown once: D1 keeps only its SHA-256 and its prefix. */
export async function newApiKey(): Promise<{ key: string; hash: string; prefix: string }> {
  const key = `ua_${randomToken(API_KEY_BYTES)}`;
  return { key, hash: await sha256Hex(key), prefix: key.slice(0, KEY_PREFIX_LENGTH) };
}

/** The hash of a presented key, or null when it cannot be one of ours (answered without D1). */
export const apiKeyHash = async (key: string) => (isApiKeyShaped(key) ? sha256Hex(key) : null);
