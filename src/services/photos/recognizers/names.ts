import type { Recognition } from './types';

/**
 * A name as compared: lower-cased, decomposed (NFKD, so ligatures and full-width letters fold
 * too), combining marks dropped ("Zoë" = "zoe"), runs of any Unicode whitespace collapsed to
 * one space and trimmed. Whitespace is collapsed, not removed, so "Ann Adams" ≠ "Anna Dams".
 *
 * @example nameKey('  José   ÁLVAREZ ') // 'jose alvarez'
 */
export const nameKey = (name: string) =>
  name
    .normalize('NFKC')
    .toLowerCase()
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/\s+/gu, ' ')
    .trim();

/** True when the recognizer saw `name surname` with confidence strictly above the threshold. */
export function recognisedAs(recognition: Recognition | null, user: { name: string; surname: string }, minConfidence: number): boolean {
  if (!recognition || !(recognition.confidence > minConfidence)) return false;
  const expected = nameKey(`${user.name} ${user.surname}`);
  return expected.length > 0 && nameKey(recognition.name) === expected;
}
