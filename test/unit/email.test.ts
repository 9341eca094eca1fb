import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mixesScripts, punycodeDecode } from '../../src/lib/email';
import { Email, emailKey } from '../../src/lib/text';

/** The first error message for `input`, or the normalised address when it is accepted. */
const parse = (input: string) => {
  const result = Email.safeParse(input);
  return result.success ? { ok: result.data } : { error: result.error.issues[0]!.message };
};
const refused = (cases: [string, string][]) => it.each(cases)('refuses %j', (input, message) => expect(parse(input)).toEqual({ error: message }));

describe('Email: invisible and formatting characters (security review)', () => {
  const invisible = 'must not contain invisible or formatting characters';
  refused([
    ['ada@example.c\u202Eom', invisible], // right-to-left override
    ['ad\u202Ea@example.com', invisible],
    ['ada\u200B@example.com', invisible], // zero-width space
    ['ada@exa\u200Bmple.com', invisible],
    ['ada@exa\u00ADmple.com', invisible], // soft hyphen: ToASCII would silently drop it
    ['ada\u00AD@example.com', invisible],
    ['ada\u{E0041}@example.com', invisible], // tag LATIN CAPITAL A
    ['ada@example.com\u{E007F}', invisible],
    ['\uFEFFada@example.com', invisible], // trim() would drop a leading BOM silently
    ['ada@exa\uFE0Fmple.com', invisible], // variation selector
    ['ada\u200D@example.com', invisible], // ZWJ has no place in an address
    ['ada\u200E@example.com', invisible], // left-to-right mark
    ['ada\u2066@example.com', invisible], // bidi isolate
    ['ada\u2060@example.com', invisible], // word joiner
    ['ada\u3164@example.com', invisible], // Hangul filler
    ['ada\uFFF9@example.com', invisible], // interlinear annotation: Cf but not default-ignorable
    ['ada@\u0600example.com', invisible], // Arabic number sign: likewise
  ]);
  const space = 'must not contain spaces or control characters';
  refused([
    ['a da@example.com', space],
    ['ada@exa mple.com', space],
    ['ada\t@example.com', space],
    ['ada\u00A0@example.com', space],
    ['ada\u3000@example.com', space],
    ['ada\u0000@example.com', space],
    ['ada\u0085@example.com', space],
    ['ada\u2028@example.com', space],
  ]);
  refused([
    ['ada\uE000@example.com', 'must not contain unassigned or private-use characters'],
    ['ada\uD800@example.com', 'must not contain unassigned or private-use characters'],
  ]);
});

describe('Email: domain rules (RFC 5890-5893, UTS #46, UTS #39)', () => {
  refused([
    ['a@-example.com', 'has a domain part that starts or ends with a hyphen'],
    ['a@example-.com', 'has a domain part that starts or ends with a hyphen'],
    ['a@-bücher.example', 'has a domain part that starts or ends with a hyphen'],
    ['a@example..com', 'has an empty part in its domain'],
    ['a@.example.com', 'has an empty part in its domain'],
    ['a@example.com.', 'has an empty part in its domain'],
    ['a@example.\u3002com', 'has an empty part in its domain'],
    [`a@${'a'.repeat(64)}.com`, 'has a domain part longer than 63 characters'],
    [`a@${'abcdefghi.'.repeat(25)}abcd`, 'has a domain longer than 253 characters'],
    ['a@example.123', 'has a domain ending in a number'],
    ['a@1.2.3.4', 'has a domain ending in a number'],
    ['a@localhost', 'needs a domain with a dot, like example.com'],
    ['a@', 'needs a domain with a dot, like example.com'],
    ['a@exаmple.com', 'has a domain that mixes alphabets'], // Cyrillic а (U+0430)
    ['a@xn--exmple-4nf.com', 'has a domain that mixes alphabets'], // the same, typed as punycode
    ['a@gοogle.com', 'has a domain that mixes alphabets'], // Greek ο
    ['a@pаypal.com', 'has a domain that mixes alphabets'],
    ['a@exa_mple.com', 'has a character that is not allowed in a domain'],
    ['a@ex%41mple.com', 'has a character that is not allowed in a domain'],
    ['a@i\u2764.ws', 'has a character that is not allowed in a domain'], // symbols are not IDNA2008
    ['a@xn--i-7iq.ws', 'has a character that is not allowed in a domain'], // ... nor when punycoded
    ['a@[127.0.0.1]', 'has a character that is not allowed in a domain'],
    ['a@ab--cd.com', 'has a domain part with "--" in the third and fourth places'],
    ['a@xn--bucher-xyd.example', 'has a domain that is not valid'], // punycode of a non-NFC 'bücher'
    ['a@xn--abc-.com', 'has a domain part that starts or ends with a hyphen'], // fake A-label of plain 'abc'
    ['a@xn--99999999.com', 'has a domain that is not valid'], // decodes past U+10FFFF
    ['a@xn--a.com', 'has a character that is not allowed in a domain'], // decodes to the control U+0080
    ['a@\u0661\u0662a.com', 'has a domain that is not valid'], // RFC 5893 bidi rule
  ]);

  it.each([
    ['ada@bücher.example', 'ada@xn--bcher-kva.example'],
    ['ADA@BÜCHER.EXAMPLE', 'ADA@xn--bcher-kva.example'], // local part keeps its case
    ['ada@XN--BCHER-KVA.example', 'ada@xn--bcher-kva.example'],
    ['ada@bu\u0308cher.example', 'ada@xn--bcher-kva.example'], // NFD typed
    ['ada@faß.de', 'ada@xn--fa-hia.de'], // IDNA2008, not transitional ss
    ['ada@例え.テスト', 'ada@xn--r8jz45g.xn--zckzah'], // Han with Hiragana is Japanese
    ['ada@sonyの.jp', 'ada@xn--sony-8c4c.jp'], // Latin with Kana: allowed by Highly Restrictive
    ['ada@пример.рф', 'ada@xn--e1afmkfd.xn--p1ai'], // one script per label
    ['ada@παράδειγμα.δοκιμή', 'ada@xn--hxajbheg2az3al.xn--jxalpdlp'],
    ['ada@example\u3002com', 'ada@example.com'], // UTS #46 maps the ideographic full stop
    ['ada@mail-1.example.co.uk', 'ada@mail-1.example.co.uk'],
  ])('converts %j to %j', (input, output) => expect(parse(input)).toEqual({ ok: output }));
});

describe('Email: local part (RFC 5321 §4.1.2, RFC 6531)', () => {
  refused([
    ['"ada"@example.com', 'must not contain quotes'],
    ['"a b"@example.com', 'must not contain spaces or control characters'],
    ['.ada@example.com', 'must not start or end with a dot before the @'],
    ['ada.@example.com', 'must not start or end with a dot before the @'],
    ['a..da@example.com', 'must not contain two dots in a row before the @'],
    ['a(da)@example.com', 'has a character that is not allowed before the @'],
    ['a,da@example.com', 'has a character that is not allowed before the @'],
    ['a\\da@example.com', 'has a character that is not allowed before the @'],
    ['a:da@example.com', 'has a character that is not allowed before the @'],
    ['a@b@example.com', 'must contain a single @'],
    ['ada\uFF20bank.com@example.com', 'must not contain look-alikes of punctuation such as @ or .'],
    ['ada\uFE52x@example.com', 'must not contain look-alikes of punctuation such as @ or .'],
    ['@example.com', 'needs a name before the @'],
    ['ada.example.com', 'must be an email address, like ada@example.com'],
    [`${'a'.repeat(65)}@example.com`, 'must be at most 64 bytes long before the @'],
    [`${'é'.repeat(33)}@example.com`, 'must be at most 64 bytes long before the @'], // 66 octets
    [`${'a'.repeat(64)}@${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(62)}`, 'must be at most 254 bytes long'],
  ]);

  it.each([
    ['Ada.Lovelace+tag@Example.COM', 'Ada.Lovelace+tag@example.com'],
    ["o'neil@example.com", "o'neil@example.com"],
    ["!#$%&'*+-/=?^_`{|}~@example.com", "!#$%&'*+-/=?^_`{|}~@example.com"],
    ['jose\u0301@example.com', 'jos\u00E9@example.com'], // NFC
    ['用户@例子.广告', '用户@xn--fsqu00a.xn--4rr70v'],
    ['  ada@example.com\n', 'ada@example.com'], // trimmed
    [`${'a'.repeat(64)}@example.com`, `${'a'.repeat(64)}@example.com`],
    [`${'é'.repeat(32)}@example.com`, `${'é'.repeat(32)}@example.com`],
  ])('accepts %j as %j', (input, output) => expect(parse(input)).toEqual({ ok: output }));
});

describe('emailKey', () => {
  it('is one key for the Unicode and punycode forms, in any case', () => {
    const key = emailKey('ada@xn--bcher-kva.example');
    expect(key).toBe('ada@xn--bcher-kva.example');
    for (const typed of ['ada@bücher.example', 'ADA@BÜCHER.EXAMPLE', 'Ada@XN--BCHER-KVA.Example', ' ada@bu\u0308cher.example ']) {
      expect(emailKey(typed), typed).toBe(key);
    }
  });

  it('equals the key of what the schema stores', () => {
    for (const typed of ['Ada@Bücher.example', 'ADA@例え.テスト', 'José@Example.COM']) {
      const stored = Email.parse(typed);
      expect(emailKey(stored)).toBe(emailKey(typed));
    }
  });

  it('never throws, and gives invalid logins a key no account can have', () => {
    const logins = ['', '@', 'a@', '@@', 'a@b@c', 'a@exаmple.com', 'a@\uD800', 'a@[::1]', 'a@x/y', 'a@evil.com/x', 'a'.repeat(5000) + '@x.com'];
    for (const login of logins) {
      const key = emailKey(login);
      expect(key, login).toMatch(/^invalid email: /);
      expect(Email.safeParse(key).success, login).toBe(false);
    }
  });
});

describe('emailKey and Email on arbitrary input', () => {
  const typed = fc.string({ unit: fc.constantFrom(...'aZé.-@ü例аο\u0301\u200B\u202E\uD800 '), maxLength: 24 });
  it('never throw, and agree: the key of the stored address is the key of what was typed', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), typed), (input) => {
        const key = emailKey(input);
        expect(typeof key).toBe('string');
        const parsed = Email.safeParse(input);
        if (parsed.success) expect(emailKey(parsed.data)).toBe(key);
      }),
      { numRuns: 500 },
    );
  });
});

describe('punycode and scripts', () => {
  it('decodes RFC 3492 and refuses garbage', () => {
    expect(punycodeDecode('bcher-kva')).toBe('bücher');
    expect(punycodeDecode('r8jz45g')).toBe('例え');
    expect(punycodeDecode('99999999')).toBeNull();
    expect(punycodeDecode('a!')).toBeNull();
  });

  it.each([
    ['exаmple', true],
    ['gοogle', true],
    ['пример', false],
    ['bücher', false],
    ['例え', false],
    ['한국어', false],
    ['中文', false],
    ['sonyの', false],
    ['abcд', true],
    ['αβγд', true],
    ['日本한국', false],
    ['ꭺmazon', true], // Cherokee Ꭺ with Latin
  ])('mixesScripts(%j) is %s', (label, mixed) => expect(mixesScripts(label)).toBe(mixed));
});
