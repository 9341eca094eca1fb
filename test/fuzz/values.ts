// fast-check arbitraries for values of a JSON schema ("valid-ish": right shape, random content)
// and for the ways a hostile client bends them: dropped or extra keys, wrong types, huge strings,
// prototype keys and duplicate keys (as raw JSON text, since JSON.stringify cannot write those).
import fc from 'fast-check';
import { deref, type Doc, type Schema } from './schema';

const EMAIL = fc
  .tuple(fc.stringMatching(/^[a-z0-9._-]{1,20}$/), fc.constantFrom('example.com', 'EXAMPLE.org', 'bücher.example'))
  .map(([local, domain]) => `${local}@${domain}`);
const PASSPHRASE = fc.string({ minLength: 15, maxLength: 64, unit: 'grapheme' });

function patternArb(pattern: string, maxLength: number): fc.Arbitrary<string> | undefined {
  if (pattern.endsWith('/u') || pattern.includes('\\p{')) return undefined; // plain-text rule: fc.string fits
  try {
    return fc.stringMatching(new RegExp(pattern)).filter((s) => s.length <= maxLength);
  } catch {
    return undefined;
  }
}

/** A value that has the schema's shape; content is random and often breaks its rules. */
export function valueArb(doc: Doc, schema: Schema, key = '', depth = 0): fc.Arbitrary<unknown> {
  const s = deref(doc, schema);
  const options = (s.oneOf ?? s.anyOf) as Schema[] | undefined;
  if (options) return fc.oneof(...options.map((o) => valueArb(doc, o, key, depth)));
  if (s.enum) return fc.constantFrom(...(s.enum as unknown[]));
  const types = Array.isArray(s.type) ? (s.type as string[]) : [String(s.type ?? 'string')];
  const nonNull = types.filter((t) => t !== 'null');
  const base = typeArb(doc, s, nonNull[0] ?? 'string', key, depth);
  return types.includes('null') ? fc.oneof(base, fc.constant(null)) : base;
}

function typeArb(doc: Doc, s: Schema, type: string, key: string, depth: number): fc.Arbitrary<unknown> {
  switch (type) {
    case 'integer':
      return fc.integer({ min: (s.minimum as number) ?? -1000, max: (s.maximum as number) ?? 1000 });
    case 'number':
      return fc.double({ noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return depth > 3 ? fc.constant([]) : fc.array(valueArb(doc, (s.items as Schema) ?? {}, key, depth + 1), { maxLength: 3 });
    case 'object': {
      if (depth > 3) return fc.constant({});
      const props = (s.properties as Record<string, Schema>) ?? {};
      const model = Object.fromEntries(Object.entries(props).map(([k, p]) => [k, valueArb(doc, p, k, depth + 1)]));
      return fc.record(model, { requiredKeys: ((s.required as string[]) ?? []).filter((k) => k in props) });
    }
    default:
      return stringArb(s, key);
  }
}

function stringArb(s: Schema, key: string): fc.Arbitrary<string> {
  const maxLength = Math.min((s.maxLength as number) ?? 64, 300);
  if (s.format === 'uuid') return fc.uuid();
  if (s.format === 'date-time') return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
  // Placeholders for the fuzzing user's real credentials, filled in at send time (send.ts).
  if (/email/.test(key)) return fc.oneof(EMAIL, fc.constant('«email»'));
  if (/password/.test(key)) return fc.oneof(PASSPHRASE, fc.constant('«password»'));
  if (key === 'username')
    return fc.oneof({ weight: 2, arbitrary: fc.stringMatching(/^[A-Za-z0-9_.-]{3,32}$/) }, { weight: 1, arbitrary: fc.constant('«username»') });
  if (key === 'refresh_token' || key === 'token') return fc.oneof(fc.string({ maxLength: 60 }), fc.constant('«refresh»'), fc.constant('«access»'));
  const fromPattern = typeof s.pattern === 'string' ? patternArb(s.pattern, maxLength) : undefined;
  const plain = fc.string({ minLength: (s.minLength as number) ?? 0, maxLength, unit: 'grapheme' });
  return fromPattern ? fc.oneof(fromPattern, plain) : plain;
}

/** Strings no schema expects: control characters, lone surrogates, huge, RTL overrides, nulls. */
export const nastyString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '\u0000',
    '\ud800',
    'a\udfffb',
    '\u202eadmin',
    'ａｄｍｉｎ',
    '../../etc/passwd',
    "' or 1=1 --",
    '%00',
    '\r\nX-Injected: 1',
    'null',
    'NaN',
    '1e309',
    '-0',
    '{}',
    '[]',
  ),
  fc.nat({ max: 3 }).map((i) => ['x'.repeat(70_000), 'é'.repeat(20_000), '🙂'.repeat(9_000), ' '.repeat(5000)][i]!),
);

export const wrongType = fc.oneof(fc.jsonValue({ maxDepth: 3 }), nastyString, fc.constantFrom(true, 0, -1, 1e300, [], {}, null));

type Obj = Record<string, unknown>;

/** A JSON text built from a valid-ish object by one hostile mutation (or none). */
export function mutatedJson(base: fc.Arbitrary<unknown>): fc.Arbitrary<string> {
  const obj = base.filter((v): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v));
  const splice = (o: Obj, raw: string) => {
    const text = JSON.stringify(o);
    return text === '{}' ? `{${raw}}` : `{${raw},${text.slice(1)}`;
  };
  return fc.oneof(
    { weight: 8, arbitrary: base.map((v) => JSON.stringify(v)) },
    {
      weight: 2,
      arbitrary: fc.tuple(obj, fc.nat()).map(([o, i]) => {
        const keys = Object.keys(o);
        const copy = { ...o };
        if (keys.length) delete copy[keys[i % keys.length]!];
        return JSON.stringify(copy);
      }),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(obj, fc.nat(), wrongType).map(([o, i, v]) => {
        const keys = Object.keys(o);
        return JSON.stringify(keys.length ? { ...o, [keys[i % keys.length]!]: v } : v);
      }),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          obj,
          fc.constantFrom('role', 'uuid', 'is_admin', 'password_hash', 'email', 'id'),
          wrongType.map((v) => v ?? 'admin'),
        )
        .map(([o, k, v]) => JSON.stringify({ ...o, [k]: k === 'role' ? 'admin' : v })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          obj,
          fc.constantFrom(
            '"__proto__":{"role":"admin"}',
            '"constructor":{"prototype":{"role":"admin"}}',
            '"__proto__":null',
            '"prototype":1',
            '"hasOwnProperty":"x"',
            '"toString":1',
          ),
        )
        .map(([o, raw]) => splice(o, raw)),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(obj, fc.nat(), wrongType).map(([o, i, v]) => {
        const keys = Object.keys(o);
        const key = keys.length ? keys[i % keys.length]! : 'role';
        return splice(o, `${JSON.stringify(key)}:${JSON.stringify(v ?? 'admin')}`); // duplicate key
      }),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(obj, fc.nat()).map(([o, i]) => {
        const keys = Object.keys(o);
        return JSON.stringify({ ...o, [keys.length ? keys[i % keys.length]! : 'x']: 'x'.repeat(70_000) });
      }),
    },
  );
}

/** JSON texts that are not what any route expects, many of them not JSON at all. */
export const rawJsonText = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? 'null'),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.integer({ min: 1, max: 30_000 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
  fc.integer({ min: 1, max: 6_000 }).map((n) => '{"a":'.repeat(n) + '1' + '}'.repeat(n)),
  fc.integer({ min: 1, max: 30_000 }).map((n) => '['.repeat(n)),
  fc.constantFrom(
    '',
    ' ',
    'null',
    'true',
    '[]',
    '{',
    '{"a":1,}',
    '{"a":"\\ud800"}',
    '\ufeff{}',
    '{"a":1}{"b":2}',
    '{"username":"\u0000"}',
    '{"a":01}',
    '{"a":1e999}',
    "{'a':1}",
    '{"a":"\\x41"}',
  ),
);
