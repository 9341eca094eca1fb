import { ZxcvbnFactory, type MatchExtended } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary as commonDictionary } from '@zxcvbn-ts/language-common';
import { dictionary as englishDictionary } from '@zxcvbn-ts/language-en';

/*
 * language-en's ordered word series (one two three, Monday Tuesday, alpha bravo, planets, …) are
 * left out of zxcvbn and checked by isWordSeries instead: zxcvbn runs every one of its
 * dictionaries over every substring and l33t variant, and these 14 small lists doubled its CPU
 * time per check (measured) for the one pattern a plain word-break check finds as well.
 */
const { 'commonWords-en': commonWords, 'firstnames-en': firstnames, 'lastnames-en': lastnames, 'wikipedia-en': wikipedia, ...series } = englishDictionary;

/*
 * Guess-based strength (NIST SP 800-63B-4 §3.1.1.2 and its blocklist guidance: dictionary words,
 * repetitive or sequential characters, context-specific words, with simple substitutions).
 * zxcvbn splits the password into the cheapest sequence of known patterns (dictionary words,
 * l33t, reversed words, keyboard walks, repeats, sequences, dates, the user's own details) and
 * multiplies their guess counts, so a passphrase of uncommon words scores high while
 * `P@ssw0rd2024` or `adalovelace1815` score low. It estimates the whole password; a common word
 * inside an otherwise strong passphrase does not refuse it.
 */

/**
 * The threshold: at least 10^10 guesses (zxcvbn's top score, 4). Online guessing is throttled,
 * so the bar is set by an attacker who stole the database: PBKDF2-HMAC-SHA-512 at 100,000
 * iterations runs at roughly 10^4 guesses per second per GPU, so 10^10 guesses is about
 * 10^6 GPU-seconds (some 12 GPU-days) for one account, and zxcvbn's estimate is deliberately
 * low (it assumes the attacker knows the pattern). A 15-character password below it is
 * structure, not length: a random 15-letter string is about 10^21 guesses, a passphrase of
 * three uncommon words 10^12 or more. The score-3 band (10^8..10^10) holds passwords such as
 * name + surname + digits, which NIST wants refused.
 */
export const MIN_GUESSES = 1e10;

/*
 * zxcvbn's cost grows with length × longest dictionary word × the number of l33t variants it
 * tries. 64 characters are enough to judge (a weak prefix is refused; a strong one cannot get
 * weaker by more characters an attacker must also guess), and 8 l33t variants (zxcvbn's default
 * is 100) keep the full substitutions, which find `p@ssw0rd` in `P@ssw0rd1234`, at less than half
 * the CPU time.
 */
const ESTIMATE_LENGTH = 64;
const L33T_VARIANTS = 8;

let estimator: ZxcvbnFactory | undefined;

/**
 * Built on the first check, not at module load: ranking about 230,000 dictionary words took
 * about 170 ms of CPU and 15 MiB here, more than the rest of Worker startup, and most requests
 * (logins, reads) never set a password. (The language packages still decompress their word lists
 * when imported, about 80 ms and 13 MiB; only an async caller using `import()` avoids that.)
 */
function zxcvbn(): ZxcvbnFactory {
  estimator ??= new ZxcvbnFactory({
    dictionary: { ...commonDictionary, 'commonWords-en': commonWords, 'firstnames-en': firstnames, 'lastnames-en': lastnames, 'wikipedia-en': wikipedia },
    graphs: adjacencyGraphs,
    l33tMaxSubstitutions: L33T_VARIANTS,
  });
  return estimator;
}

/** What the cheapest pattern is, in words; names the dictionary zxcvbn found the token in. */
function describe(match: MatchExtended): string {
  switch (match.pattern) {
    case 'repeat':
      return 'it repeats characters or a pattern';
    case 'sequence':
      return 'it is built on a sequence like abc or 123';
    case 'spatial':
      return 'it follows a keyboard pattern';
    case 'date':
      return 'it is built around a date';
    case 'dictionary': {
      const source = String(match.dictionaryName);
      if (source === 'userInputs') return 'it is built from your own details';
      if (match.l33t) return 'it is a common word or name with look-alike substitutions like @ for a';
      if (match.reversed) return 'it is a common word or name spelled backwards';
      if (source.startsWith('passwords')) return 'it is built on a commonly used password';
      if (source.startsWith('firstnames') || source.startsWith('lastnames')) return 'it is built on common names';
      return 'it is built from common words';
    }
    default:
      return 'it is built from common patterns';
  }
}

/**
 * Refuses a password zxcvbn can guess in fewer than MIN_GUESSES, naming the longest pattern
 * it found (as zxcvbn's own feedback does). `userInputs` are the user's details (username,
 * email and its local part, name, surname), matched like a top-ranked dictionary.
 */
export function guessProblem(password: string, userInputs: string[]): string | null {
  const sample = password.slice(0, ESTIMATE_LENGTH);
  const result = zxcvbn().check(
    sample,
    userInputs.filter((s) => s.length > 0),
  );
  if (result.guesses >= MIN_GUESSES) return null;
  const found = result.sequence.filter((m) => m.pattern !== 'bruteforce' && m.pattern !== 'separator');
  if (found.length === 0) return 'is too easy to guess; add more uncommon words';
  const longest = found.reduce((a, b) => (b.token.length > a.token.length ? b : a));
  return `is too easy to guess: ${describe(longest)}; add more uncommon words`;
}

type Layout = Map<string, Set<string>>;
let layouts: Layout[] | undefined;

/** Per keyboard (qwerty, qwertz, azerty, dvorak, keypads): each character and the characters of its own and neighbouring keys. */
function keyboards(): Layout[] {
  layouts ??= Object.values(adjacencyGraphs).map((graph: Record<string, (string | null)[]>) => {
    const near: Layout = new Map();
    const keyOf = new Map<string, string>();
    for (const keys of Object.values(graph)) for (const key of keys) if (key) for (const c of key) keyOf.set(c, key);
    for (const [c, keys] of Object.entries(graph)) near.set(c, new Set([...(keyOf.get(c) ?? c), ...keys.filter((k) => k !== null).join('')]));
    return near;
  });
  return layouts;
}

/**
 * True when the whole password is keyboard walks: pieces of at least three characters, each
 * going from key to neighbouring (or the same) key on one layout, like `qwertyuiop` + `asdfg`
 * or `1qaz2wsx3edc`. zxcvbn alone prefers to call `qwertyuiop` a common password.
 */
export function isKeyboardWalk(password: string): boolean {
  const chars = [...password];
  return keyboards().some((near) => coveredByPieces(chars.length, (i) => near.get(chars[i - 1] ?? '')?.has(chars[i] ?? '') ?? false));
}

/** Whether `run` is a concatenation of `pieces` (a small word-break check). */
export function coveredBy(run: string, pieces: string[]): boolean {
  const ok = new Array<boolean>(run.length + 1).fill(false);
  ok[0] = true;
  for (let i = 0; i < run.length; i++) if (ok[i]) for (const p of pieces) if (run.startsWith(p, i)) ok[i + p.length] = true;
  return ok[run.length] === true;
}

/** True when the letters of the password are only words of one well-known series (`onetwothree…`, `Monday Tuesday …`). */
export function isWordSeries(password: string): boolean {
  const letters = password.toLowerCase().replace(/\P{L}+/gu, '');
  return letters.length > 0 && Object.values(series).some((words) => coveredBy(letters, words));
}

/**
 * Whether 0..length splits into pieces of 3 or more where `continues(i)` holds for every i inside
 * a piece (i joins i - 1). Shared by the keyboard-walk and sequence rules; O(length²).
 */
export function coveredByPieces(length: number, continues: (i: number, start: number) => boolean): boolean {
  const reachable = new Array<boolean>(length + 1).fill(false);
  reachable[0] = true;
  for (let start = 0; start < length; start++) {
    if (!reachable[start]) continue;
    for (let end = start + 1; end < length && continues(end, start); end++) if (end - start >= 2) reachable[end + 1] = true;
  }
  return reachable[length] === true;
}
