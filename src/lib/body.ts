import { FORBIDDEN_KEYS, JsonError, decodeUtf8, parseJsonObject } from './json';

export type BodyKind = 'json' | 'form';

/** The media type of a request, lower-cased, without parameters. */
export const mediaType = (request: Request) => (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();

export function bodyKind(request: Request): BodyKind | null {
  const type = mediaType(request);
  if (type === 'application/json') return 'json';
  if (type === 'application/x-www-form-urlencoded') return 'form';
  return null;
}

export class BodyError extends Error {}

/**
 * Reads a JSON or urlencoded body into a plain object. A parameter repeated in a form is an
 * error (RFC 6749 §3.2), never silently "the first" or "the last".
 */
export async function readObjectBody(request: Request, kind: BodyKind): Promise<Record<string, unknown>> {
  // Decoded by hand (strictly: malformed UTF-8 is refused, not replaced with U+FFFD).
  let text: string;
  try {
    text = decodeUtf8(await request.arrayBuffer());
  } catch (err) {
    if (err instanceof JsonError) throw new BodyError(err.message);
    throw err;
  }
  if (kind === 'json') {
    try {
      return parseJsonObject(text);
    } catch (err) {
      // Any parser failure (a JsonError, or a RangeError on pathological input) is the client's 400.
      throw new BodyError(err instanceof JsonError ? `malformed JSON body: ${err.message}` : 'malformed JSON body');
    }
  }
  const out: Record<string, string> = Object.create(null);
  for (const [key, value] of new URLSearchParams(text)) {
    if (FORBIDDEN_KEYS.has(key)) throw new BodyError(`parameter ${key} is not allowed`);
    if (key in out) throw new BodyError(`parameter ${key} is repeated`);
    out[key] = value;
  }
  return { ...out };
}
