import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonError, MAX_JSON_DEPTH, decodeUtf8, isJsonMediaType, parseJsonObject, parseStrictJson } from '../../src/lib/json';

const refuses = (text: string, message: RegExp) => expect(() => parseStrictJson(text)).toThrowError(message);
const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('parseStrictJson', () => {
  it('reads every JSON value as JSON.parse does', () => {
    for (const text of ['{}', '[]', '0', '-0.5e-3', '1E+2', '"a\\u00e9\\n\\"\\/"', 'true', 'false', 'null', ' \t\r\n{"a" : [1, {"b": null}] } ']) {
      expect(parseStrictJson(text)).toEqual(JSON.parse(text));
    }
  });

  it('agrees with JSON.parse on generated documents without repeated keys', () => {
    fc.assert(
      fc.property(fc.json({ maxDepth: 5 }), (text) => {
        const reference = JSON.parse(text) as unknown;
        const banned = /"(?:__proto__|constructor|prototype)"\s*:/.test(text);
        if (banned) return;
        expect(parseStrictJson(text)).toEqual(reference);
      }),
      { seed: 5, numRuns: 300 },
    );
  });

  it('refuses what JSON.parse refuses', () => {
    for (const text of [
      '',
      ' ',
      '{',
      '{"a":1,}',
      '[1,]',
      '01',
      '1.',
      '.5',
      '+1',
      '"\t"',
      "'a'",
      '{a:1}',
      'tru',
      'nul',
      'NaN',
      '[1 2]',
      '{"a" 1}',
      '"\\x41"',
      '"\\u12"',
    ]) {
      expect(() => JSON.parse(text), text).toThrow();
      expect(() => parseStrictJson(text), text).toThrowError(JsonError);
    }
  });

  it('refuses a repeated key, at the top and at any depth, even when spelled with escapes', () => {
    refuses('{"role":"normal","role":"admin"}', /duplicate key "role"/);
    refuses('{"a":{"b":[{"c":1,"c":2}]}}', /duplicate key "c"/);
    refuses('{"role":1,"r\\u006fle":2}', /duplicate key "role"/);
    expect(parseStrictJson('{"a":{"a":{"a":1}}}')).toEqual({ a: { a: { a: 1 } } });
  });

  it('refuses __proto__, constructor and prototype keys anywhere', () => {
    refuses('{"__proto__":{"role":"admin"}}', /key "__proto__" is not allowed/);
    refuses('{"user":{"constructor":{"prototype":{"role":"admin"}}}}', /key "constructor" is not allowed/);
    refuses('[{"prototype":1}]', /key "prototype" is not allowed/);
    refuses('{"\\u005f_proto__":{}}', /key "__proto__" is not allowed/);
    expect(({} as Record<string, unknown>).role).toBeUndefined();
  });

  it(`allows ${MAX_JSON_DEPTH} levels of nesting and refuses one more`, () => {
    expect(parseStrictJson(nested(MAX_JSON_DEPTH))).toBeInstanceOf(Array);
    refuses(nested(MAX_JSON_DEPTH + 1), /nested deeper than 32 levels/);
    refuses(`${'{"a":'.repeat(MAX_JSON_DEPTH + 1)}1${'}'.repeat(MAX_JSON_DEPTH + 1)}`, /nested deeper/);
  });

  it('refuses deep nesting without exhausting the stack', () => {
    refuses(nested(100_000), /nested deeper/);
  });

  it('refuses lone surrogates, escaped or raw, in keys and values, and accepts proper pairs', () => {
    refuses('{"name":"\\ud800"}', /unpaired surrogate/);
    refuses('{"name":"\\udc00\\ud800"}', /unpaired surrogate/);
    refuses('{"name":"a\\ud83dz"}', /unpaired surrogate/);
    refuses('{"\\udfff":1}', /unpaired surrogate/);
    refuses('{"name":"\ud800"}', /unpaired surrogate/);
    expect(parseStrictJson('{"name":"\\ud83d\\ude00 \u{1F600}"}')).toEqual({ name: '\u{1F600} \u{1F600}' });
  });

  it('refuses raw control characters inside strings (RFC 8259 §7)', () => {
    refuses('{"name":"a\u0000b"}', /invalid string/);
    refuses('{"name":"a\nb"}', /invalid string/);
  });

  it('refuses anything after the value', () => {
    refuses('{} {}', /unexpected data after/);
    refuses('{}x', /unexpected data after/);
  });

  it('reads a 60 KiB string quickly', () => {
    const big = `{"a":"${'x\\n'.repeat(20_000)}"}`;
    const started = performance.now();
    expect((parseStrictJson(big) as { a: string }).a).toHaveLength(40_000);
    expect(performance.now() - started).toBeLessThan(500);
  });
});

describe('parseJsonObject', () => {
  it('returns an object with an ordinary prototype', () => {
    const value = parseJsonObject('{"a":1}');
    expect(value).toEqual({ a: 1 });
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
  });

  it('refuses a top level that is not an object', () => {
    for (const text of ['[]', '[{"a":1}]', '"a"', '1', 'null', 'true']) {
      expect(() => parseJsonObject(text), text).toThrowError(/the body must be a JSON object/);
    }
  });
});

describe('decodeUtf8', () => {
  it('decodes UTF-8 and drops a leading byte-order mark', () => {
    expect(decodeUtf8(new TextEncoder().encode('\ufeff{"a":"é"}'))).toBe('{"a":"é"}');
  });

  it('refuses malformed UTF-8 instead of replacing it', () => {
    for (const bytes of [[0xff], [0xc3], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0x7b, 0x22, 0xe9, 0x22, 0x7d]]) {
      expect(() => decodeUtf8(new Uint8Array(bytes))).toThrowError(/not valid UTF-8/);
    }
  });
});

describe('isJsonMediaType', () => {
  it('matches application/json and +json types only', () => {
    expect(['application/json', 'application/merge-patch+json', 'application/problem+json'].every(isJsonMediaType)).toBe(true);
    expect(['text/json', 'application/jsonp', 'application/json-seq', 'application/x-www-form-urlencoded'].some(isJsonMediaType)).toBe(false);
  });
});
