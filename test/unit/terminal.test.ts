import { describe, expect, it } from 'vitest';
import { escapeForTerminal } from '../../src/lib/terminal';

describe('escapeForTerminal', () => {
  it.each([
    ['\x1b[31mred\x1b[0m', '\\u{1B}[31mred\\u{1B}[0m'], // ANSI colour
    ['\x1b]0;pwned\x07', '\\u{1B}]0;pwned\\u{7}'], // OSC window title
    ['\x9b2J', '\\u{9B}2J'], // C1 CSI
    ['evil\u202Etxt.exe', 'evil\\u{202E}txt.exe'], // right-to-left override
    ['a\u2066b\u2069c\u200Fd', 'a\\u{2066}b\\u{2069}c\\u{200F}d'], // isolates, RLM
    ['a\u0000b', 'a\\u{0}b'],
    ['a\x7fb', 'a\\u{7F}b'], // DEL
    ['a\tb\nc\rd', 'a\\tb\\nc\\rd'],
    ['a\u2028b\u2029c', 'a\\u{2028}b\\u{2029}c'],
    ['a\u200Bb\u2060c\uFEFFd\u00ADe', 'a\\u{200B}b\\u{2060}c\\u{FEFF}d\\u{AD}e'], // zero-width, soft hyphen
    ['a\u{E0041}\u{E007F}', 'a\\u{E0041}\\u{E007F}'], // tags
    ['a\uE000b', 'a\\u{E000}b'], // private use
    ['a\uD800b\uDC00', 'a\\u{D800}b\\u{DC00}'], // unpaired surrogates
    ['\u3164', '\\u{3164}'], // Hangul filler
    ['a\uFFF9b', 'a\\u{FFF9}b'], // Cf that is not default-ignorable
    ['C:\\temp', 'C:\\\\temp'], // the backslash itself
    ['\\u{1B}', '\\\\u{1B}'], // a typed escape stays distinguishable from a real ESC
  ])('escapes %j', (input, output) => expect(escapeForTerminal(input)).toBe(output));

  it.each(['ada_l', 'Tóm Hànks', 'José Álvarez', 'Zoë', 'محمد', '李', "Jean-Luc O'Neil", 'ada@xn--bcher-kva.example', 'a b\u00A0c', '🙂 ok', ''])(
    'leaves %j unchanged',
    (text) => expect(escapeForTerminal(text)).toBe(text),
  );

  it('leaves no control, format or invisible character in its output', () => {
    let all = '';
    for (let cp = 0; cp <= 0x10ffff; cp += cp < 0x30000 ? 1 : 97) all += String.fromCodePoint(cp);
    all += '\uDBFF\uD800'; // surrogates out of order: both unpaired
    const out = escapeForTerminal(all);
    expect(out).not.toMatch(/[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\p{Zl}\p{Zp}\p{Co}\p{Cs}]/u);
  });
});
