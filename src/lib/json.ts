/**
 * Parses a JSON body for this API. Placeholder for the hardened parser (issue 5): plain
 * JSON.parse, refusing anything but an object at the top.
 */
export function parseJsonObject(text: string): Record<string, unknown> {
  const value: unknown = JSON.parse(text);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new SyntaxError('not an object');
  return value as Record<string, unknown>;
}
