import { sha256Hex } from './encoding';

/** 32 symbols with no look-alikes: no 0/O, no 1/I. Five bits each. */
const ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
/** 12 symbols: 60 random bits per code (SPEC: at least 50), shown as XXXX-XXXX-XXXX. */
const LENGTH = 12;
export const RECOVERY_CODE_COUNT = 10;
const SHAPE = new RegExp(`^[${ALPHABET}]{${LENGTH}}$`);

/** One code, from the CSPRNG (each byte's low five bits: 256 is a multiple of 32, so no bias). */
export function recoveryCode(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(LENGTH));
  const symbols = [...bytes].map((b) => ALPHABET[b & 31]).join('');
  return `${symbols.slice(0, 4)}-${symbols.slice(4, 8)}-${symbols.slice(8)}`;
}

export const recoveryCodes = (n = RECOVERY_CODE_COUNT) => Array.from({ length: n }, recoveryCode);

/** What a person typed, as stored: upper case, no spaces or dashes; null when it cannot be a code. */
export function normaliseRecoveryCode(typed: string): string | null {
  const clean = typed.replace(/[\s-]/g, '').toUpperCase();
  return SHAPE.test(clean) ? clean : null;
}

/** The stored form: SHA-256 with the user's id, so one table cannot be attacked as a whole. */
export const recoveryCodeHash = (userUuid: string, normalised: string) => sha256Hex(`recovery:${userUuid}:${normalised}`);
