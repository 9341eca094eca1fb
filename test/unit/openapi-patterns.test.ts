import { describe, expect, it } from 'vitest';
import { get, body } from '../helpers/api';

/** Every `pattern` in the document must be a valid ECMA-262 regex in `u` mode, as JSON Schema reads it. */
describe('GET /openapi.json patterns', () => {
  it('are plain regex sources (no /flags left over) that compile in unicode mode', async () => {
    const text = JSON.stringify(await body(await get('/openapi.json')));
    const patterns = [...text.matchAll(/"pattern":("(?:[^"\\]|\\.)*")/g)].map((m) => JSON.parse(m[1]!) as string);
    expect(patterns.length).toBeGreaterThan(3);
    for (const pattern of patterns) {
      expect(pattern, pattern).not.toMatch(/\/[gimsuy]*$/);
      expect(() => new RegExp(pattern, 'u'), pattern).not.toThrow();
    }
  });
});
