import { isCommonPassword } from './common-passwords';
import { coveredBy, coveredByPieces, guessProblem, isKeyboardWalk, isWordSeries } from './password-strength';

export const MAX_PASSWORD_LENGTH = 128;
/**
 * The longest password field a request may carry at all (every schema's `max`, every form's
 * `maxlength`): more is refused before any hashing. What a new password may be is the policy's
 * MAX_PASSWORD_LENGTH; this bound is only on the wire, so a login never hashes a megabyte.
 */
export const PASSWORD_FIELD_MAX = 1024;
export const SERVICE_NAME = 'userauth';

export interface PolicyContext {
  minLength: number;
  username?: string;
  email?: string;
  name?: string;
  surname?: string;
}

/** Unicode White_Space, format (Cf) and default-ignorable code points, controls, and the blank Braille pattern: nothing a person sees. */
const INVISIBLE_ONLY = /^[\p{White_Space}\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\u2800]+$/u;
/** The same without White_Space: left out before the pattern rules, so `hunter2` padded with U+200B is still `hunter2`. */
const INVISIBLE = /(?!\p{White_Space})[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\u2800]/gu;
const NOT_LETTER_OR_DIGIT = /[^\p{L}\p{N}]/gu;

/** Simple look-alike substitutions (the ones zxcvbn's l33t table and people use most); `1`, `!` and `|` stand for i or l. */
const LEET: Record<string, string> = {
  '4': 'a',
  '@': 'a',
  '8': 'b',
  '(': 'c',
  '3': 'e',
  '6': 'g',
  '9': 'g',
  '0': 'o',
  $: 's',
  '5': 's',
  '7': 't',
  '+': 't',
  '2': 'z',
};
const deleet = (s: string, one: 'i' | 'l') => s.replace(/[!|1@$+(0-9]/g, (c) => LEET[c] ?? (c === '1' || c === '!' || c === '|' ? one : c));
const reverse = (s: string) => [...s].reverse().join('');
const fold = (s: string) => s.normalize('NFC').toLowerCase();

/**
 * The forms a password is compared in: folded, then letters and digits only (so `ada lovelace`
 * meets `ada_lovelace`), then with look-alikes undone (`L0v3l4c3` meets `lovelace`).
 * The same function is applied to the user's details, so like meets like.
 */
function forms(s: string): string[] {
  const folded = fold(s);
  const skeleton = (t: string) => t.replace(NOT_LETTER_OR_DIGIT, '');
  return [...new Set([folded, skeleton(folded), skeleton(deleet(folded, 'i')), skeleton(deleet(folded, 'l'))])];
}

/** Whether any form of the password holds any form of `detail`, forwards or reversed; forms shorter than `min` are skipped. */
function containsDetail(passwordForms: string[], detail: string, min: number): boolean {
  const wanted = forms(detail).filter((f) => [...f].length >= min);
  return passwordForms.some((p) => wanted.some((w) => p.includes(w) || p.includes(reverse(w))));
}

/**
 * Name and surname: names of five or more letters anywhere; shorter ones (Ada, Ann, Sam) only
 * when every run of letters in the password is made of the user's names (`ada1815`,
 * `adalovelace`, `ECALEVOLADA`, `ann li 1990`), so `Canada`, `annual` and `same` stay usable.
 */
function containsName(password: string, names: string[]): boolean {
  const parts = names.flatMap((n) => fold(n).split(NOT_LETTER_OR_DIGIT)).filter((p) => p.length > 0);
  const passwordForms = forms(password);
  if (parts.some((p) => [...p].length >= 5 && containsDetail(passwordForms, p, 5))) return true;
  const pieces = [...new Set(parts.flatMap((p) => [p, reverse(p)]))];
  const folded = fold(password);
  return [folded, deleet(folded, 'i'), deleet(folded, 'l')].some((f) => {
    const runs = f.split(/\P{L}+/u).filter((r) => r.length > 0);
    return runs.length > 0 && runs.every((r) => coveredBy(r, pieces));
  });
}

/** One character repeated, or one short unit repeated (`abcabcabc`, `P@ssw0rdP@ssw0rd`), case-insensitively. */
function repeatedUnit(chars: string[]): number | null {
  for (let unit = 1; unit <= chars.length / 2; unit++) if (chars.every((c, i) => c === chars[i % unit])) return unit;
  return null;
}

/** Steps of -1, 0 or +1 between code points, digits wrapping (9 → 0); pieces of three or more, such as `abc123def456` or `123456789012345`. */
function isSequential(chars: string[]): boolean {
  const code = chars.map((c) => c.codePointAt(0) ?? 0);
  const digit = (i: number) => (code[i] ?? 0) >= 48 && (code[i] ?? 0) <= 57;
  const step = (i: number) => {
    const d = (code[i] ?? 0) - (code[i - 1] ?? 0);
    return digit(i) && digit(i - 1) && Math.abs(d) === 9 ? -Math.sign(d) : d;
  };
  return coveredByPieces(chars.length, (i, start) => Math.abs(step(i)) <= 1 && step(i) === step(start + 1));
}

/**
 * NIST SP 800-63B-4 §3.1.1.2: a length floor and ceiling in code points after NFC, no
 * composition rules, and a blocklist: the shipped common passwords, the service's name, the
 * user's own details and their derivatives, repetitive or sequential characters, keyboard walks,
 * and whatever zxcvbn can guess in fewer than MIN_GUESSES (common words, names, l33t).
 * Returns the reason a password is refused, shown after "The password ", or null when it is
 * acceptable. The cheap rules run first, so zxcvbn (built on the first call) only sees the rest.
 */
export function passwordProblem(password: string, ctx: PolicyContext): string | null {
  const normalised = password.normalize('NFC');
  const length = [...normalised].length;
  if (length < ctx.minLength) return `must be at least ${ctx.minLength} characters`;
  if (length > MAX_PASSWORD_LENGTH) return `must be at most ${MAX_PASSWORD_LENGTH} characters`;
  if (INVISIBLE_ONLY.test(normalised)) return 'is made only of spaces or invisible characters';
  const visible = normalised.replace(INVISIBLE, '');
  const folded = fold(visible);
  const passwordForms = forms(visible);
  if (folded.includes(SERVICE_NAME)) return 'must not contain the name of this service';
  const username = ctx.username ?? '';
  if (username && (folded.includes(fold(username)) || containsDetail(passwordForms, username, 4))) return 'must not contain your username';
  if (ctx.email) {
    const email = fold(ctx.email);
    const local = email.split('@')[0] ?? '';
    if (folded.includes(email) || containsDetail(passwordForms, email, 4) || containsDetail(passwordForms, local, 3))
      return 'must not contain your email address';
  }
  const names = [ctx.name ?? '', ctx.surname ?? ''];
  if (containsName(visible, names)) return 'must not contain your name';
  if (isCommonPassword(visible) || isCommonPassword(deleet(folded, 'i')) || isCommonPassword(deleet(folded, 'l')))
    return 'is a commonly used password; choose another';
  const chars = [...folded];
  const unit = repeatedUnit(chars);
  if (unit === 1) return 'is made only of repeated characters';
  if (unit !== null) return 'is one short pattern repeated';
  if (isSequential(chars)) return 'is made only of sequences like abc or 123';
  if (isKeyboardWalk(visible)) return 'follows a keyboard pattern';
  if (isWordSeries(visible)) return 'is made only of words from a well-known series like one two three';
  // zxcvbn ranks user inputs first, so a password built on them (even partly) scores low.
  const local = fold(ctx.email ?? '').split('@')[0] ?? '';
  const tokens = [username, local].flatMap((s) => s.split(/[._+-]/)).filter((t) => t.length >= 3);
  return guessProblem(visible, [username, ctx.email ?? '', local, ...tokens, ...names, names.join(''), SERVICE_NAME]);
}
