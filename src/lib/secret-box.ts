import { base64url, fromBase64url, utf8 } from './encoding';

/**
 * Secrets encrypted at rest (TOTP seeds): AES-256-GCM under a key from a secret, with the key's
 * id in every sealed value so the key can rotate: `v1.<key id>.<iv>.<ciphertext+tag>`, each part
 * base64url. The additional data binds a value to its purpose and owner (a sealed seed copied to
 * another user's row does not open there).
 *
 * The secret (`MFA_ENCRYPTION_KEY`) is `<key id>:<32 bytes base64url>`, optionally followed by
 * `,<previous id>:<previous key>` entries that still open old values; new values are always sealed
 * with the first.
 */
export interface SecretKey {
  id: string;
  key: CryptoKey;
}

const ID = /^[A-Za-z0-9_-]{1,32}$/;

export class SecretKeyError extends Error {}

/** Parses the key secret; throws SecretKeyError naming what is wrong (never the key). */
export async function loadSecretKeys(secret: string): Promise<SecretKey[]> {
  const keys: SecretKey[] = [];
  for (const entry of secret.split(',').map((s) => s.trim())) {
    const [id, material, ...rest] = entry.split(':');
    if (!id || !ID.test(id) || !material || rest.length > 0) throw new SecretKeyError('each key must be <id>:<32 bytes in base64url>');
    let raw: Uint8Array;
    try {
      raw = fromBase64url(material);
    } catch {
      throw new SecretKeyError(`key ${id} is not base64url`);
    }
    if (raw.length !== 32) throw new SecretKeyError(`key ${id} must be 32 bytes`);
    keys.push({ id, key: await crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']) });
  }
  if (new Set(keys.map((k) => k.id)).size !== keys.length) throw new SecretKeyError('key ids must differ');
  return keys;
}

/** Seals `plain` with the first key, bound to `context` (e.g. `totp:<user uuid>`). */
export async function seal(keys: SecretKey[], plain: Uint8Array, context: string): Promise<string> {
  const current = keys[0]!;
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: utf8(context) }, current.key, plain);
  return ['v1', current.id, base64url(iv), base64url(sealed)].join('.');
}

/** Opens a sealed value with the key it names, or null (unknown key, tampered, other context). */
export async function open(keys: SecretKey[], sealed: string, context: string): Promise<Uint8Array | null> {
  const [version, id, iv, data, ...rest] = sealed.split('.');
  const key = keys.find((k) => k.id === id);
  if (version !== 'v1' || !key || !iv || !data || rest.length > 0) return null;
  try {
    return new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: fromBase64url(iv), additionalData: utf8(context) }, key.key, fromBase64url(data)));
  } catch {
    return null;
  }
}

/** Whether a sealed value is under an older key (to re-seal it on its next use). */
export const sealedWithOlderKey = (keys: SecretKey[], sealed: string) => sealed.split('.')[1] !== keys[0]?.id;
