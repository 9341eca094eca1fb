// A JSON Schema subset validator for the response schemas of our OpenAPI 3.1 document
// (what @hono/zod-openapi emits: type (with "null" in arrays), enum, properties, required,
// additionalProperties, items, $ref, oneOf/anyOf/allOf, formats uuid and date-time, numeric and
// length bounds, pattern). ajv is installed but compiles with `new Function`, which the Workers
// runtime refuses, and its objects are open by default.
//
// Objects are CLOSED here even without `additionalProperties: false`: the fuzz suite asserts that
// no response carries a field its documented schema does not list.

export type Schema = Record<string, unknown>;
export interface Doc {
  components?: { schemas?: Record<string, Schema> };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Follows a local `#/components/schemas/Name` reference. */
export function deref(doc: Doc, schema: Schema): Schema {
  let s = schema;
  for (let guard = 0; typeof s.$ref === 'string' && guard < 20; guard += 1) {
    const name = (s.$ref as string).replace('#/components/schemas/', '');
    const target = doc.components?.schemas?.[name];
    if (!target) throw new Error(`unresolved $ref ${s.$ref as string}`);
    s = target;
  }
  return s;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

/** Zod 4 can emit a regex with its flags glued on (`…$/u`); read it back as a RegExp. */
function toRegExp(pattern: string): RegExp | undefined {
  const flagged = /^(.*)\/([a-z]+)$/s.exec(pattern);
  try {
    return flagged ? new RegExp(flagged[1]!, flagged[2]) : new RegExp(pattern, 'u');
  } catch {
    return undefined;
  }
}

/** Returns the problems of `value` against `schema`, each with its JSON path; empty when valid. */
export function validate(doc: Doc, schema: Schema, value: unknown, path = '$'): string[] {
  const s = deref(doc, schema);
  const errors: string[] = [];
  const fail = (msg: string) => errors.push(`${path}: ${msg}`);

  for (const key of ['oneOf', 'anyOf'] as const) {
    const options = s[key] as Schema[] | undefined;
    if (!options) continue;
    const passing = options.filter((o) => validate(doc, o, value, path).length === 0).length;
    if (key === 'oneOf' ? passing !== 1 : passing === 0) fail(`matches ${passing} of the ${key} options`);
  }
  for (const part of (s.allOf as Schema[] | undefined) ?? []) errors.push(...validate(doc, part, value, path));

  const actual = typeOf(value);
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? (s.type as string[]) : [s.type as string];
    const ok = types.includes(actual) || (actual === 'integer' && types.includes('number'));
    if (!ok) return [...errors, `${path}: expected ${types.join('|')}, got ${actual}`];
  }
  if (s.enum && !(s.enum as unknown[]).some((e) => e === value)) fail(`not one of ${JSON.stringify(s.enum)}`);
  if ('const' in s && s.const !== value) fail(`not ${JSON.stringify(s.const)}`);

  if (typeof value === 'string') {
    if (typeof s.minLength === 'number' && [...value].length < s.minLength) fail(`shorter than ${s.minLength}`);
    if (typeof s.maxLength === 'number' && [...value].length > s.maxLength) fail(`longer than ${s.maxLength}`);
    if (s.format === 'uuid' && !UUID.test(value)) fail('not a uuid');
    if (s.format === 'date-time' && (!DATE_TIME.test(value) || Number.isNaN(Date.parse(value)))) fail('not a date-time');
    const re = typeof s.pattern === 'string' ? toRegExp(s.pattern) : undefined;
    if (re && !re.test(value)) fail(`does not match ${s.pattern as string}`);
  }
  if (typeof value === 'number') {
    if (typeof s.minimum === 'number' && value < s.minimum) fail(`below ${s.minimum}`);
    if (typeof s.maximum === 'number' && value > s.maximum) fail(`above ${s.maximum}`);
  }
  if (Array.isArray(value) && s.items) {
    for (const [i, item] of value.entries()) errors.push(...validate(doc, s.items as Schema, item, `${path}[${i}]`));
  }
  if (actual === 'object') {
    const obj = value as Record<string, unknown>;
    const props = (s.properties as Record<string, Schema> | undefined) ?? {};
    for (const key of (s.required as string[] | undefined) ?? []) if (!Object.hasOwn(obj, key)) fail(`missing required ${key}`);
    const extra = s.additionalProperties;
    for (const [key, v] of Object.entries(obj)) {
      if (Object.hasOwn(props, key)) errors.push(...validate(doc, props[key]!, v, `${path}.${key}`));
      else if (extra && typeof extra === 'object') errors.push(...validate(doc, extra as Schema, v, `${path}.${key}`));
      else if (extra !== true && !s.oneOf && !s.anyOf && !s.allOf) fail(`undocumented field ${JSON.stringify(key)}`);
    }
  }
  return errors;
}
