/**
 * A strict JSON reader for request bodies. JSON.parse accepts things an API should not: a
 * repeated key silently keeps the last value (RFC 8259 §4 leaves that open, and two parsers in
 * a chain can disagree about which one wins), `__proto__` keys reach code that merges objects,
 * nesting is unbounded, and a lone surrogate escape (`"\ud800"`) yields a string no UTF-8
 * encoder can write back. This parser follows the RFC 8259 grammar and refuses all of those.
 */

/** A body that is not acceptable JSON; the message is safe to show to the client. */
export class JsonError extends SyntaxError {}

/** Objects and arrays nested deeper than this are refused (no request body needs more). */
export const MAX_JSON_DEPTH = 32;

/** Keys that reach Object.prototype through naive merges; never a field of this API. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** A whole JSON string token: no raw control characters, only the RFC's escapes. */
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
/** A surrogate code unit without its partner (a `u` flag regex sees a valid pair as one code point). */
const LONE_SURROGATE = /\p{Cs}/u;

const quote = (key: string) => JSON.stringify(key.length > 40 ? `${key.slice(0, 40)}…` : key);

class Reader {
  at = 0;
  constructor(readonly text: string) {}

  fail(what: string): never {
    throw new JsonError(`${what} at position ${this.at}`);
  }

  /** Skips RFC 8259 whitespace: space, tab, line feed, carriage return. */
  skipSpace() {
    let ch = this.text.charCodeAt(this.at);
    while (ch === 0x20 || ch === 0x0a || ch === 0x0d || ch === 0x09) ch = this.text.charCodeAt(++this.at);
  }

  token(pattern: RegExp, what: string): string {
    pattern.lastIndex = this.at;
    const match = pattern.exec(this.text);
    if (!match) this.fail(`invalid ${what}`);
    this.at = pattern.lastIndex;
    return match[0];
  }

  string(): string {
    const start = this.at;
    const raw = this.token(STRING, 'string');
    const value = raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1);
    if (LONE_SURROGATE.test(value)) {
      this.at = start;
      this.fail('unpaired surrogate in string');
    }
    return value;
  }

  literal(word: 'true' | 'false' | 'null', value: boolean | null) {
    if (!this.text.startsWith(word, this.at)) this.fail('invalid literal');
    this.at += word.length;
    return value;
  }

  value(depth: number): unknown {
    this.skipSpace();
    const ch = this.text[this.at];
    switch (ch) {
      case '{':
        return this.object(depth + 1);
      case '[':
        return this.array(depth + 1);
      case '"':
        return this.string();
      case 't':
        return this.literal('true', true);
      case 'f':
        return this.literal('false', false);
      case 'n':
        return this.literal('null', null);
      case undefined:
        return this.fail('unexpected end of input');
      default:
        if (ch === '-' || (ch >= '0' && ch <= '9')) return Number(this.token(NUMBER, 'number'));
        return this.fail('unexpected character');
    }
  }

  expect(ch: string) {
    this.skipSpace();
    if (this.text[this.at] !== ch) this.fail(`expected '${ch}'`);
    this.at += 1;
  }

  /** True when the next character closes the container (and consumes it). */
  closes(ch: string): boolean {
    this.skipSpace();
    if (this.text[this.at] !== ch) return false;
    this.at += 1;
    return true;
  }

  object(depth: number): Record<string, unknown> {
    if (depth > MAX_JSON_DEPTH) this.fail(`nested deeper than ${MAX_JSON_DEPTH} levels`);
    this.at += 1;
    // Only plain data keys get here: the forbidden ones are refused before assignment.
    const out: Record<string, unknown> = {};
    if (this.closes('}')) return out;
    for (;;) {
      this.skipSpace();
      if (this.text[this.at] !== '"') this.fail('expected a key');
      const keyAt = this.at;
      const key = this.string();
      if (FORBIDDEN_KEYS.has(key)) {
        this.at = keyAt;
        this.fail(`key ${quote(key)} is not allowed`);
      }
      if (Object.hasOwn(out, key)) {
        this.at = keyAt;
        this.fail(`duplicate key ${quote(key)}`);
      }
      this.expect(':');
      out[key] = this.value(depth);
      if (this.closes('}')) return out;
      this.expect(',');
    }
  }

  array(depth: number): unknown[] {
    if (depth > MAX_JSON_DEPTH) this.fail(`nested deeper than ${MAX_JSON_DEPTH} levels`);
    this.at += 1;
    const out: unknown[] = [];
    if (this.closes(']')) return out;
    for (;;) {
      out.push(this.value(depth));
      if (this.closes(']')) return out;
      this.expect(',');
    }
  }
}

/**
 * Parses any JSON value strictly (see the module comment); throws JsonError.
 *
 * @example parseStrictJson('{"a":1,"a":2}') // throws JsonError: duplicate key "a" at position 8
 */
export function parseStrictJson(text: string): unknown {
  const reader = new Reader(text);
  const value = reader.value(0);
  reader.skipSpace();
  if (reader.at !== text.length) reader.fail('unexpected data after the JSON value');
  return value;
}

/** Parses a request body that must be a JSON object; throws JsonError otherwise. */
export function parseJsonObject(text: string): Record<string, unknown> {
  const value = parseStrictJson(text);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new JsonError('the body must be a JSON object');
  }
  return value as Record<string, unknown>;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Decodes UTF-8 (RFC 8259 §8.1), refusing malformed bytes instead of replacing them. */
export function decodeUtf8(bytes: ArrayBuffer | Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new JsonError('the body is not valid UTF-8');
  }
}

/** Whether a media type (lower case, no parameters) is read as JSON (`application/json`, `application/*+json`). */
export const isJsonMediaType = (type: string) => /^application\/(?:[\w.-]+\+)?json$/.test(type);
