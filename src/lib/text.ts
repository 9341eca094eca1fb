import { z } from '@hono/zod-openapi';

/**
 * Plain text: no control characters (C0, C1), lone surrogates, private-use code points,
 * line/paragraph separators or bidirectional overrides, which spoof names in admin views.
 */
const PLAIN_TEXT = /^[^\p{Cc}\p{Cs}\p{Co}\u2028\u2029\u202A-\u202E\u2066-\u2069]*$/u;

/** A trimmed, NFC-normalised plain-text field of 1..max code points. */
export const plainText = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max * 2)
    .regex(PLAIN_TEXT, 'must not contain control or invisible formatting characters')
    // zod-to-openapi prints a `u` regex as `…$/u`; give JSON Schema the source itself.
    .openapi({ pattern: PLAIN_TEXT.source })
    .refine((s) => [...s].length <= max, `must be at most ${max} characters`)
    .transform((s) => s.normalize('NFC'));

export const USERNAME_PATTERN = /^[A-Za-z0-9_.-]{3,32}$/;

export const Username = z
  .string()
  .regex(USERNAME_PATTERN, 'must be 3-32 characters of A-Z a-z 0-9 _ . -')
  .openapi({ example: 'ada_l' });

/** Deliberately permissive on the local part (RFC 6531 allows Unicode) but strict on structure. */
const EMAIL_PATTERN = /^[^\s@<>()[\]\\,;:"\p{Cc}\p{Cs}]{1,64}@[^\s@<>()[\]\\,;:"\p{Cc}\p{Cs}]+\.[^\s@<>()[\]\\,;:"\p{Cc}\p{Cs}.]{2,}$/u;

export const Email = z
  .string()
  .trim()
  .max(254)
  .regex(EMAIL_PATTERN, 'must be an email address')
  .openapi({ pattern: EMAIL_PATTERN.source })
  .transform((s) => s.normalize('NFC'))
  .openapi({ example: 'ada@example.com' });

export const Mobile = z
  .string()
  .trim()
  .regex(/^\+?[0-9 ()-]{3,32}$/, 'must be a phone number of digits, spaces, +, -, ( and )')
  .openapi({ example: '+44 20 7946 0958' });

/** The case-insensitive key of an email: NFC, trimmed, lower-cased with Unicode rules. */
export const emailKey = (email: string) => email.normalize('NFC').trim().toLowerCase();
export const usernameKey = (username: string) => username.toLowerCase();
