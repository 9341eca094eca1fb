import { z } from '@hono/zod-openapi';
import { asciiDomain, EMAIL_PATTERN, parseEmail } from './email';

/**
 * Refused anywhere in plain text, because they hide, reorder or break what an admin or another
 * user sees: controls (C0, C1) and line/paragraph separators; lone surrogates and private use;
 * format characters (Cf: bidi controls, zero-width space and no-break space U+FEFF, word
 * joiner, soft hyphen, tags U+E0000-E007F) and the other default-ignorable code points
 * (Hangul fillers, combining grapheme joiner). ZWNJ/ZWJ and variation selectors are judged
 * by their neighbours instead (below).
 */
const CONTROL = /[\p{Cc}\p{Zl}\p{Zp}]/u;
const BROKEN = /[\p{Cs}\p{Co}]/u;
const INVISIBLE = /[\p{Cf}\p{Default_Ignorable_Code_Point}\u{E0000}-\u{E007F}]/u;
/**
 * ZWNJ/ZWJ (U+200C/U+200D): Persian and Indic spelling and emoji ZWJ sequences need them, so
 * one is allowed with a letter, mark or emoji on each side; never at an end, doubled, or next
 * to a space, digit or punctuation, where it could only pad or split text invisibly.
 */
const JOINER = /^[\u200C\u200D]$/u;
/** What a joiner may stand between: letters, marks (viramas, U+FE0F), emoji and their skin-tone modifiers. */
const JOINS = /^[\p{L}\p{M}\p{Extended_Pictographic}\p{Emoji_Modifier}]$/u;
/** Variation selectors (emoji presentation U+FE0F, CJK ideographic variants, Mongolian FVS) choose a glyph for the character before them. */
const SELECTOR = /^\p{Variation_Selector}$/u;
const SELECTABLE = /^[\p{L}\p{N}\p{S}\p{P}]$/u;
/** Something a reader can see: a letter, digit, symbol or punctuation other than the blank Braille cell U+2800. */
const VISIBLE = /[\p{L}\p{N}\p{S}\p{P}]/u;

/** The documented shape (the code decides, with context rules a JSON Schema pattern cannot say). */
const PLAIN_TEXT_PATTERN = /^[^\p{Cc}\p{Cs}\p{Co}\p{Zl}\p{Zp}\u00AD\u061C\u180E\u200B\u200E\u200F\u202A-\u202E\u2060-\u206F\uFEFF\u{E0000}-\u{E007F}]*$/u
  .source;

/** JS trim() without removing U+FEFF, which is refused, not silently dropped. */
export const trimSpace = (s: string) => s.replace(/^[^\S\uFEFF]+|[^\S\uFEFF]+$/g, '');

/** Why `raw` is not plain text of at most `max` characters (code points, after trimming and NFC), or null. */
export function plainTextProblem(raw: string, max: number): string | null {
  if (raw.length > max * 4 + 256) return `must be at most ${max} characters`;
  const text = trimSpace(raw);
  if (text === '') return 'must not be empty';
  if (CONTROL.test(text)) return 'must not contain control characters or line breaks';
  if (BROKEN.test(text)) return 'must not contain private-use characters or broken encoding';
  const chars = [...text];
  for (const [i, ch] of chars.entries()) {
    const before = chars[i - 1] ?? '';
    if (JOINER.test(ch)) {
      if (!JOINS.test(before) || !JOINS.test(chars[i + 1] ?? '')) return 'may use a zero-width joiner only between two letters or emoji';
    } else if (SELECTOR.test(ch)) {
      if (!SELECTABLE.test(before)) return 'may use a variation selector only right after a letter or symbol';
    } else if (INVISIBLE.test(ch)) {
      return 'must not contain invisible or formatting characters';
    }
  }
  if (!VISIBLE.test(text.replaceAll('\u2800', ''))) return 'must contain visible characters';
  if ([...text.normalize('NFC')].length > max) return `must be at most ${max} characters`;
  return null;
}

/** A trimmed, NFC-normalised plain-text field of 1..max code points (see `plainTextProblem`). */
export const plainText = (max: number) =>
  z
    .string()
    // zod-to-openapi prints a `u` regex as `…$/u`; give JSON Schema the source itself.
    .openapi({ pattern: PLAIN_TEXT_PATTERN, minLength: 1, maxLength: max })
    .transform((raw, ctx) => {
      const problem = plainTextProblem(raw, max);
      if (problem === null) return trimSpace(raw).normalize('NFC');
      ctx.addIssue({ code: 'custom', message: problem });
      return z.NEVER;
    });

export const USERNAME_PATTERN = /^[A-Za-z0-9_.-]{3,32}$/;

export const Username = z.string().regex(USERNAME_PATTERN, 'must be 3-32 characters of A-Z a-z 0-9 _ . -').openapi({ example: 'ada_l' });

/** An email address, output normalised: NFC, trimmed, domain as lower-case A-label (rules in ./email). */
export const Email = z
  .string()
  .openapi({ pattern: EMAIL_PATTERN, maxLength: 254 })
  .transform((raw, ctx) => {
    const result = parseEmail(raw);
    if (result.ok) return result.email;
    ctx.addIssue({ code: 'custom', message: result.problem });
    return z.NEVER;
  })
  .openapi({ example: 'ada@example.com' });

export const Mobile = z
  .string()
  .trim()
  .regex(/^\+?[0-9 ()-]{3,32}$/, 'must be a phone number of digits, spaces, +, -, ( and )')
  .openapi({ example: '+44 20 7946 0958' });

/** Starts the key of a login that is no valid address: a space and ':' never occur in a real key, so it matches no account. */
const UNMATCHABLE = 'invalid email: ';

/**
 * The uniqueness and login-lookup key of an email: NFC, trimmed, lower-cased (Unicode rules),
 * domain as its A-label, so `Ada@Bücher.example` and `ada@xn--bcher-kva.example` are one
 * account and one throttle bucket. Never throws: a login is any string, and one whose domain
 * cannot be converted gets a key of its own that matches nothing.
 */
export function emailKey(email: string): string {
  const s = String(email).normalize('NFC').trim().toLowerCase();
  const at = s.lastIndexOf('@');
  if (at < 0 || s.length > 1024) return UNMATCHABLE + s.slice(0, 1024);
  try {
    const domain = asciiDomain(s.slice(at + 1));
    return domain.ok ? `${s.slice(0, at)}@${domain.ascii}` : UNMATCHABLE + s;
  } catch {
    return UNMATCHABLE + s;
  }
}

export const usernameKey = (username: string) => username.toLowerCase();
