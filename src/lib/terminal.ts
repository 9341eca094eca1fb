/**
 * Text from users (names, emails, user agents) printed by the admin CLI. A terminal obeys
 * what it prints: ESC starts an ANSI/OSC sequence (colours, cursor moves, window titles,
 * hyperlinks, even clipboard writes), other C0/C1 controls move the cursor or end lines, bidi
 * controls reorder the rest of the line, and zero-width or tag characters hide text.
 *
 * Pure and free of Node APIs: imported by Node scripts (type-stripped) and tested in workerd.
 */

/**
 * Everything that does not print as itself: C0 and C1 controls with DEL (Cc), format
 * characters (Cf: bidi controls, zero-width space/joiners, soft hyphen, U+FEFF, tags
 * U+E0001-E007F), the other default-ignorable code points (variation selectors, Hangul
 * fillers, unassigned tags), line and paragraph separators, private use, unpaired surrogates,
 * and the backslash itself so an escape in the output is never ambiguous.
 */
const NON_PRINTING = /[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\p{Zl}\p{Zp}\p{Co}\p{Cs}\u{E0000}-\u{E007F}\\]/gu;

const SHORT: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/**
 * `text` with every non-printing character replaced by a visible escape: `\t`, `\n`, `\r`,
 * `\\` for a backslash, and `\u{HEX}` (the code point in upper-case hex) for the rest, e.g.
 * ESC is `\u{1B}` and a right-to-left override `\u{202E}`. Printable text (any script, emoji,
 * ordinary spaces) is unchanged. The output is plain ASCII wherever the input was not printable.
 */
export function escapeForTerminal(text: string): string {
  return String(text).replace(NON_PRINTING, (ch) => SHORT[ch] ?? `\\u{${ch.codePointAt(0)!.toString(16).toUpperCase()}}`);
}
