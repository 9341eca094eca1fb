import { MAX_PBKDF2_ITERATIONS } from '../config';
import { base64url, constantTimeEqual, fromBase64url, sha256Hex, utf8 } from './encoding';

/** What hashing needs from the configuration; peppers are secrets, never stored. */
export interface PasswordParams {
  iterations: number;
  pepper?: string;
  previousPepper?: string;
}

const ALGORITHM = 'pbkdf2-sha512';
const SALT_BYTES = 16;
const KEY_BITS = 512;
const NO_PEPPER = '-';

interface Pepper {
  id: string;
  key: CryptoKey;
}

// Imported once per isolate: HMAC key import is cheap but not free, and logins are hot.
const pepperCache = new Map<string, Promise<Pepper>>();

function loadPepper(secret: string): Promise<Pepper> {
  let hit = pepperCache.get(secret);
  if (!hit) {
    hit = (async () => ({
      // A short public id derived from the secret names it in stored hashes without revealing it.
      id: (await sha256Hex(`userauth-pepper-id:${secret}`)).slice(0, 12),
      key: await crypto.subtle.importKey('raw', utf8(secret), { name: 'HMAC', hash: 'SHA-512' }, false, ['sign']),
    }))();
    pepperCache.set(secret, hit);
  }
  return hit;
}

async function derive(password: string, salt: Uint8Array, iterations: number, pepper?: Pepper): Promise<Uint8Array> {
  if (iterations > MAX_PBKDF2_ITERATIONS) throw new RangeError('PBKDF2 iterations above the Workers limit');
  // NFC only: the password is otherwise verified exactly as typed (NIST SP 800-63B-4 §3.1.1.2).
  let secret: Uint8Array = utf8(password.normalize('NFC'));
  if (pepper) secret = new Uint8Array(await crypto.subtle.sign('HMAC', pepper.key, secret));
  const key = await crypto.subtle.importKey('raw', secret, 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-512', salt, iterations }, key, KEY_BITS);
  return new Uint8Array(bits);
}

/**
 * Hashes a password into a self-describing string:
 * `pbkdf2-sha512$<iterations>$<pepper id or ->$<salt>$<hash>` (base64url).
 *
 * @example await hashPassword('correct horse battery staple', { iterations: 100_000 })
 */
export async function hashPassword(password: string, params: PasswordParams): Promise<string> {
  const pepper = params.pepper ? await loadPepper(params.pepper) : undefined;
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const hash = await derive(password, salt, params.iterations, pepper);
  return [ALGORITHM, params.iterations, pepper?.id ?? NO_PEPPER, base64url(salt), base64url(hash)].join('$');
}

export interface VerifyResult {
  ok: boolean;
  /** The hash was made with other parameters than the current ones: store a fresh one. */
  needsRehash: boolean;
}

/**
 * Checks a password against a stored hash in constant time. A malformed stored hash or an
 * unknown pepper id fails closed.
 */
export async function verifyPassword(password: string, stored: string, params: PasswordParams): Promise<VerifyResult> {
  const parts = stored.split('$');
  const [algorithm, iterText, pepperId, saltText, hashText] = parts;
  const iterations = Number(iterText);
  if (parts.length !== 5 || algorithm !== ALGORITHM || !Number.isInteger(iterations) || !saltText || !hashText) {
    await burnPasswordWork(password, params);
    return { ok: false, needsRehash: false };
  }
  const current = params.pepper ? await loadPepper(params.pepper) : undefined;
  const previous = params.previousPepper ? await loadPepper(params.previousPepper) : undefined;
  const pepper = [current, previous].find((p) => p?.id === pepperId);
  if (pepperId !== NO_PEPPER && !pepper) {
    await burnPasswordWork(password, params);
    return { ok: false, needsRehash: false };
  }
  const actual = await derive(password, fromBase64url(saltText), Math.min(iterations, MAX_PBKDF2_ITERATIONS), pepper);
  const ok = constantTimeEqual(actual, fromBase64url(hashText));
  const needsRehash = iterations !== params.iterations || (pepper?.id ?? NO_PEPPER) !== (current?.id ?? NO_PEPPER);
  return { ok, needsRehash };
}

/**
 * Does the work of one verification and throws the result away, so that an unknown user
 * costs what a known one does (no timing oracle for account existence).
 */
export async function burnPasswordWork(password: string, params: PasswordParams): Promise<void> {
  const pepper = params.pepper ? await loadPepper(params.pepper) : undefined;
  await derive(password, new Uint8Array(SALT_BYTES), params.iterations, pepper);
}
