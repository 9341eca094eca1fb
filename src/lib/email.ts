/**
 * Email addresses: RFC 5321 §4.1.2 (Dot-string local part; quoted strings are refused) and
 * §4.5.3.1 (64-octet local part, 254-octet address), RFC 6531 §3.3 (UTF-8 local parts), and
 * IDNA2008 (RFC 5890-5893) for domains, processed as UTS #46 ToASCII so that every address is
 * stored, compared and mailed with the A-label (punycode) form of its domain.
 */

/** Format and invisible characters (Cf: bidi controls, zero-width, soft hyphen, tags; other default-ignorables: variation selectors, Hangul fillers): they make two addresses look alike. */
const INVISIBLE = /[\p{Cf}\p{Default_Ignorable_Code_Point}\p{Variation_Selector}\p{Bidi_Control}\u{E0000}-\u{E007F}]/u;
const SPACE_OR_CONTROL = /[\s\p{Z}\p{Cc}]/u;
const UNASSIGNED = /[\p{Cs}\p{Co}\p{Cn}]/u;
/** RFC 5321 atext, plus any non-ASCII character (RFC 6531 UTF8-non-ascii) that survived the checks above. */
const ATOM = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u0080-\u{10FFFF}]+$/u;
/** ASCII punctuation, symbols or spaces: a non-ASCII character that folds (NFKC) to one imitates it ('＠', '﹒', '＂'). */
const ASCII_PUNCTUATION = /[\s!-/:-@[-`{-~]/;
/** IDNA2008 letters and digits (RFC 5892 §2.1: Ll Lu Lo Lm Mn Mc Nd), hyphen, and the dots UTS #46 maps to '.'. */
const DOMAIN_CHARS = /^[\p{Ll}\p{Lu}\p{Lo}\p{Lm}\p{Mn}\p{Mc}\p{Nd}.\u3002\uFF0E\uFF61-]+$/u;
const DOTS = /[.\u3002\uFF0E\uFF61]/;
const LDH_LABEL = /^[a-z0-9-]+$/;

/** The documented shape (the code decides): a rough guide for clients; JSON Schema reads it in `u` mode. */
export const EMAIL_PATTERN =
  '^[^\\s@"\\p{Cc}\\p{Cf}\\p{Cs}\\p{Co}]{1,64}@[^\\s@"\\p{Cc}\\p{Cf}\\p{Cs}\\p{Co}]+[.\\u3002\\uFF0E\\uFF61][^\\s@"\\p{Cc}\\p{Cf}\\p{Cs}\\p{Co}.]+$';

export type EmailResult = { ok: true; email: string } | { ok: false; problem: string };
export type DomainResult = { ok: true; ascii: string } | { ok: false; problem: string };

const fail = (problem: string) => ({ ok: false, problem }) as const;

/** RFC 3492 punycode decoding (the inverse of what ToASCII does), or null when the input is not punycode. */
export function punycodeDecode(input: string): string | null {
  const base = 36;
  const adapt = (delta: number, points: number, first: boolean) => {
    delta = first ? Math.floor(delta / 700) : delta >> 1;
    delta += Math.floor(delta / points);
    let k = 0;
    for (; delta > 455; k += base) delta = Math.floor(delta / 35);
    return k + Math.floor((36 * delta) / (delta + 38));
  };
  const basic = Math.max(input.lastIndexOf('-'), 0);
  const out = [...input.slice(0, basic)].map((c) => c.codePointAt(0)!);
  if (out.some((c) => c >= 0x80)) return null;
  let [n, i, bias] = [128, 0, 72];
  for (let p = basic > 0 ? basic + 1 : 0; p < input.length; ) {
    const old = i;
    for (let w = 1, k = base; ; k += base) {
      const c = input.charCodeAt(p++);
      const digit = c >= 48 && c <= 57 ? c - 22 : c >= 65 && c <= 90 ? c - 65 : c >= 97 && c <= 122 ? c - 97 : base;
      if (digit >= base) return null; // not a digit, or ran off the end
      i += digit * w;
      if (i > 0x10ffff * 64) return null; // beyond any code point: also keeps the numbers exact
      const t = k <= bias ? 1 : k >= bias + 26 ? 26 : k - bias;
      if (digit < t) break;
      w *= base - t;
    }
    bias = adapt(i - old, out.length + 1, old === 0);
    n += Math.floor(i / (out.length + 1));
    i %= out.length + 1;
    if (n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) return null;
    out.splice(i++, 0, n);
  }
  return String.fromCodePoint(...out);
}

/** Every Unicode 17 script (Common and Inherited are neutral); names the runtime lacks are skipped. */
const SCRIPT_NAMES = (
  'Adlam Ahom Anatolian_Hieroglyphs Arabic Armenian Avestan Balinese Bamum Bassa_Vah Batak Bengali Beria_Erfe ' +
  'Bhaiksuki Bopomofo Brahmi Braille Buginese Buhid Canadian_Aboriginal Carian Caucasian_Albanian Chakma Cham Cherokee Chorasmian ' +
  'Coptic Cuneiform Cypriot Cypro_Minoan Cyrillic Deseret Devanagari Dives_Akuru Dogra Duployan Egyptian_Hieroglyphs Elbasan Elymaic ' +
  'Ethiopic Garay Georgian Glagolitic Gothic Grantha Greek Gujarati Gunjala_Gondi Gurmukhi Gurung_Khema Han Hangul Hanifi_Rohingya ' +
  'Hanunoo Hatran Hebrew Hiragana Imperial_Aramaic Inscriptional_Pahlavi Inscriptional_Parthian Javanese Kaithi Kannada Katakana Kawi ' +
  'Kayah_Li Kharoshthi Khitan_Small_Script Khmer Khojki Khudawadi Kirat_Rai Lao Latin Lepcha Limbu Linear_A Linear_B Lisu Lycian Lydian ' +
  'Mahajani Makasar Malayalam Mandaic Manichaean Marchen Masaram_Gondi Medefaidrin Meetei_Mayek Mende_Kikakui Meroitic_Cursive ' +
  'Meroitic_Hieroglyphs Miao Modi Mongolian Mro Multani Myanmar Nabataean Nag_Mundari Nandinagari New_Tai_Lue Newa Nko Nushu ' +
  'Nyiakeng_Puachue_Hmong Ogham Ol_Chiki Ol_Onal Old_Hungarian Old_Italic Old_North_Arabian Old_Permic Old_Persian Old_Sogdian ' +
  'Old_South_Arabian Old_Turkic Old_Uyghur Oriya Osage Osmanya Pahawh_Hmong Palmyrene Pau_Cin_Hau Phags_Pa Phoenician Psalter_Pahlavi ' +
  'Rejang Runic Samaritan Saurashtra Sharada Shavian Siddham Sidetic SignWriting Sinhala Sogdian Sora_Sompeng Soyombo Sundanese Sunuwar ' +
  'Syloti_Nagri Syriac Tagalog Tagbanwa Tai_Le Tai_Tham Tai_Viet Tai_Yo Takri Tamil Tangsa Tangut Telugu Thaana Thai Tibetan Tifinagh ' +
  'Tirhuta Todhri Tolong_Siki Toto Tulu_Tigalari Ugaritic Vai Vithkuqi Wancho Warang_Citi Yezidi Yi Zanabazar_Square'
).split(' ');
/** UTS #39 §5.1 augmented script sets: Han belongs to Japanese, Korean and Bopomofo writing too. */
const AUGMENT: Record<string, string[]> = { Han: ['Jpan', 'Kore', 'Hanb'], Hiragana: ['Jpan'], Katakana: ['Jpan'], Hangul: ['Kore'], Bopomofo: ['Hanb'] };
const NEUTRAL = /^[\p{scx=Zyyy}\p{scx=Zinh}]$/u;
let scriptTests: [string, RegExp][] | undefined;

/** The augmented Script_Extensions of one character, or null for Common/Inherited (digits, hyphen, most combining marks). */
function scriptsOf(ch: string): Set<string> | null {
  if (NEUTRAL.test(ch)) return null;
  scriptTests ??= SCRIPT_NAMES.flatMap((name): [string, RegExp][] => {
    try {
      return [[name, new RegExp(`^\\p{scx=${name}}$`, 'u')]];
    } catch {
      return [];
    }
  });
  const set = new Set(scriptTests.filter(([, re]) => re.test(ch)).flatMap(([name]) => [name, ...(AUGMENT[name] ?? [])]));
  return set.size ? set : new Set([`U+${ch.codePointAt(0)!.toString(16)}`]); // a script this runtime cannot name: its own
}

const intersect = (a: Set<string>, b: Set<string>) => new Set([...a].filter((s) => b.has(s)));

/** The scripts every non-neutral character of the label shares (null: no such character). */
function resolvedScripts(label: string, skipLatin: boolean): Set<string> | null {
  let resolved: Set<string> | null = null;
  for (const ch of label) {
    const set = scriptsOf(ch);
    if (set === null || (skipLatin && set.has('Latin'))) continue;
    resolved = resolved === null ? set : intersect(resolved, set);
  }
  return resolved;
}

/**
 * UTS #39 §5.2 "Highly Restrictive": one script per label ('exаmple' with a Cyrillic а is not),
 * except Latin with Han and Kana (Japanese), Han and Bopomofo, or Han and Hangul (Korean).
 */
export function mixesScripts(label: string): boolean {
  if (/^[\x00-\x7f]*$/.test(label)) return false;
  const all = resolvedScripts(label, false);
  if (all === null || all.size > 0) return false;
  const cjk = resolvedScripts(label, true);
  return !(cjk === null || ['Jpan', 'Kore', 'Hanb'].some((s) => cjk.has(s)));
}

/** UTF-8 octets of a string (RFC 5321 lengths are octets, RFC 6531 counts UTF-8). */
const octets = (s: string) => new TextEncoder().encode(s).length;

/** UTS #46 ToASCII as the URL standard runs it (workerd and Node alike): maps case and width, encodes punycode, checks bidi and joiners. */
function toAscii(domain: string): string | null {
  try {
    return new URL(`http://${domain}/`).hostname;
  } catch {
    return null;
  }
}

/** Rules both the typed labels and the decoded U-labels must meet (RFC 5890 §2.3.1, RFC 5891 §4.2.3.1, RFC 3696 §2). */
function labelsProblem(labels: string[]): string | null {
  if (labels.length < 2) return 'needs a domain with a dot, like example.com';
  if (labels.some((l) => l === '')) return 'has an empty part in its domain';
  if (labels.some((l) => !DOMAIN_CHARS.test(l))) return 'has a character that is not allowed in a domain';
  if (labels.some((l) => l.startsWith('-') || l.endsWith('-'))) return 'has a domain part that starts or ends with a hyphen';
  if (/^\p{Nd}+$/u.test(labels.at(-1)!)) return 'has a domain ending in a number';
  return null;
}

/**
 * The A-label (ASCII, lower-case) form of a domain, or why it cannot be one. Checks the typed
 * labels, converts, then checks the result: LDH labels of 1..63 octets, at most 253 in all,
 * `xn--` labels that decode and re-encode to themselves (no fake or non-canonical punycode),
 * no other label with `--` in places 3-4 (RFC 5891 §4.2.3.1 reserves them), and no U-label
 * that mixes scripts (UTS #39 §5.2), checked on the decoded form so punycode cannot hide one.
 */
export function asciiDomain(domain: string): DomainResult {
  const typed = labelsProblem(domain.split(DOTS));
  if (typed) return fail(typed);
  const ascii = toAscii(domain);
  if (ascii === null) return fail('has a domain that is not valid');
  if (octets(ascii) > 253) return fail('has a domain longer than 253 characters');
  const labels = ascii.split('.');
  if (labels.some((l) => l.length > 63)) return fail('has a domain part longer than 63 characters');
  const unicode: string[] = [];
  for (const label of labels) {
    if (!LDH_LABEL.test(label)) return fail('has a domain that is not valid');
    if (label.slice(2, 4) !== '--') unicode.push(label);
    else if (!label.startsWith('xn--')) return fail('has a domain part with "--" in the third and fourth places');
    else {
      const decoded = punycodeDecode(label.slice(4));
      if (decoded === null) return fail('has a domain that is not valid');
      unicode.push(decoded);
    }
  }
  const decoded = labelsProblem(unicode);
  if (decoded) return fail(decoded);
  if (toAscii(unicode.join('.')) !== ascii) return fail('has a domain that is not valid');
  if (unicode.some(mixesScripts)) return fail('has a domain that mixes alphabets');
  return { ok: true, ascii };
}

/**
 * Validates and normalises an address: NFC, trimmed, domain in ASCII lower case; the local
 * part keeps its case (it is what the user sees; only the key folds case).
 */
export function parseEmail(raw: string): EmailResult {
  if (raw.length > 1024) return fail('must be at most 254 bytes long');
  if (INVISIBLE.test(raw)) return fail('must not contain invisible or formatting characters');
  const address = raw.normalize('NFC').trim();
  if (SPACE_OR_CONTROL.test(address)) return fail('must not contain spaces or control characters');
  if (UNASSIGNED.test(address)) return fail('must not contain unassigned or private-use characters');
  const at = address.indexOf('@');
  if (at < 0) return fail('must be an email address, like ada@example.com');
  if (address.indexOf('@', at + 1) >= 0) return fail('must contain a single @');
  const local = address.slice(0, at);
  if (local === '') return fail('needs a name before the @');
  if (local.includes('"')) return fail('must not contain quotes');
  if (local.startsWith('.') || local.endsWith('.')) return fail('must not start or end with a dot before the @');
  if (local.includes('..')) return fail('must not contain two dots in a row before the @');
  if (!local.split('.').every((atom) => ATOM.test(atom))) return fail('has a character that is not allowed before the @');
  if ([...local].some((c) => c > '\x7f' && ASCII_PUNCTUATION.test(c.normalize('NFKC')))) {
    return fail('must not contain look-alikes of punctuation such as @ or .');
  }
  if (octets(local) > 64) return fail('must be at most 64 bytes long before the @');
  const domain = asciiDomain(address.slice(at + 1));
  if (!domain.ok) return domain;
  const email = `${local}@${domain.ascii}`;
  if (octets(email) > 254) return fail('must be at most 254 bytes long');
  return { ok: true, email };
}
