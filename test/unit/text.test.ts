import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { describe, expect, it } from 'vitest';
import { Email, plainText } from '../../src/lib/text';

const Name = plainText(64);
const parse = (input: string, schema: z.ZodType<string, string> = Name) => {
  const result = schema.safeParse(input);
  return result.success ? { ok: result.data } : { error: result.error.issues[0]!.message };
};
const refused = (message: string, cases: string[]) => it.each(cases)(`refuses %j: ${message}`, (input) => expect(parse(input)).toEqual({ error: message }));

const NAMES = [
  'Tóm Hànks',
  'José Álvarez',
  'Zoë',
  'محمد',
  '李',
  "Jean-Luc O'Neil",
  'Ada Lovelace',
  'Nguyễn Thị Minh Khai',
  'Ólafur Arnalds',
  'Σωκράτης',
  'Дмитрий',
  ' Müller-Lüdenscheidt ',
];

describe('plainText: names that stay accepted', () => {
  it.each(NAMES)('accepts %j', (name) => expect(parse(name)).toEqual({ ok: name.trim() }));

  it.each([
    ['Jose\u0301', 'José'], // NFC
    ['  Ada\u00A0Lovelace\t', 'Ada\u00A0Lovelace'], // trimmed; a no-break space inside is ordinary text
    ['علی\u200Cاکبر', 'علی\u200Cاکبر'], // Persian ZWNJ between letters
    ['क्\u200Dष', 'क्\u200Dष'], // Devanagari: virama, ZWJ, letter
    ['👩🏽\u200D💻', '👩🏽\u200D💻'], // emoji ZWJ sequence after a skin-tone modifier
    ['🏳\uFE0F\u200D🌈', '🏳\uFE0F\u200D🌈'], // ... after U+FE0F
    ['❤\uFE0F', '❤\uFE0F'], // emoji presentation selector after a symbol
    ['葛\u{E0100}城', '葛\u{E0100}城'], // CJK ideographic variation selector
  ])('accepts %j as %j', (input, output) => expect(parse(input)).toEqual({ ok: output }));
});

describe('plainText: invisible and formatting characters (security review)', () => {
  refused('must not contain invisible or formatting characters', [
    'Ada\u200BLovelace', // zero-width space
    'Ada\u2060', // word joiner
    '\uFEFFAda', // U+FEFF: refused, not trimmed away
    'Ada\uFEFF',
    'Ad\uFEFFa',
    'Ada\u00ADLovelace', // soft hyphen
    'Ada\u{E0041}', // tag LATIN CAPITAL A
    '🏴\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}', // tag sequences (subdivision flags) too
    'evil\u202Etxt', // right-to-left override
    'a\u2066b\u2069', // isolates
    'Ada\u200E', // left-to-right mark
    'Ada\u061C', // Arabic letter mark
    'Ada\u3164', // Hangul filler
    'A\u115Fda',
    'Ada\u034F', // combining grapheme joiner
    'Ada\u180E', // Mongolian vowel separator
    'Ada\u2064', // invisible plus
    'Ada\uFFF9Lovelace\uFFFB', // interlinear annotation: Cf but not default-ignorable
    '\u0600Ada', // Arabic number sign: likewise
  ]);
  refused('may use a zero-width joiner only between two letters or emoji', ['\u200DAda', 'Ada\u200C', 'Ada \u200D Lovelace', 'A\u200D\u200Dda', '1\u200C2']);
  refused('may use a variation selector only right after a letter or symbol', ['\uFE0FAda', 'Ada \uFE0F', 'Ada\uFE0F\uFE0F', 'A\u0301\uFE0F']);
  refused('must contain visible characters', ['\u2800', '\u2800 \u2800', '\u0301']);
  refused('must not be empty', ['', '   ', '\t\n']);
  refused('must not contain control characters or line breaks', [
    'Ada\nLovelace',
    'Ada\u0000',
    'Ada\x1b[31m',
    'Ada\u0085',
    'Ada\u2028Lovelace',
    'Ada\u2029Lovelace',
  ]);
  refused('must not contain private-use characters or broken encoding', ['Ada\uE000', 'Ada\uD800', '\uDC00Ada']);
});

describe('plainText: length in code points after NFC', () => {
  const Five = plainText(5);
  it.each([
    ['abcde', true],
    ['abcdef', false],
    ['🙂🙂🙂🙂🙂', true], // 10 UTF-16 units, 5 code points
    ['e\u0301'.repeat(5), true], // 10 code points typed, 5 after NFC
    ['   abcde   ', true],
  ])('%j fits plainText(5): %s', (input, fits) => {
    expect(Five.safeParse(input).success).toBe(fits);
    if (!fits) expect(parse(input, Five)).toEqual({ error: 'must be at most 5 characters' });
  });
});

describe('OpenAPI patterns of plainText and Email', () => {
  const app = new OpenAPIHono();
  const body = z.object({ name: plainText(64), email: Email });
  app.openapi(
    createRoute({
      method: 'post',
      path: '/x',
      request: { body: { content: { 'application/json': { schema: body } } } },
      responses: { 204: { description: 'ok' } },
    }),
    (c) => c.body(null, 204),
  );
  const doc = app.getOpenAPI31Document({ openapi: '3.1.0', info: { title: 't', version: '1' } });
  const schema = (
    doc.paths!['/x']!.post!.requestBody as { content: Record<string, { schema: { properties: Record<string, { pattern: string; maxLength: number }> } }> }
  ).content['application/json']!.schema;

  it('are plain regex sources that compile in unicode mode and admit what the code accepts', () => {
    const { name, email } = schema.properties as Record<'name' | 'email', { pattern: string; maxLength: number }>;
    expect(name.maxLength).toBe(64);
    expect(email.maxLength).toBe(254);
    for (const { pattern } of [name, email]) expect(pattern).not.toMatch(/\/[gimsuy]*$/);
    const namePattern = new RegExp(name.pattern, 'u');
    const emailPattern = new RegExp(email.pattern, 'u');
    for (const text of NAMES.map((n) => n.trim())) expect(namePattern.test(text), text).toBe(true);
    for (const address of ['ada@example.com', 'ada@bücher.example', '用户@例え.テスト', "o'neil@example.com"]) {
      expect(emailPattern.test(address), address).toBe(true);
    }
    expect(emailPattern.test('ada@example.c\u202Eom')).toBe(false);
    expect(namePattern.test('Ada\u200B')).toBe(false);
  });
});
