import SwaggerParser from '@apidevtools/swagger-parser';
import { describe, expect, it } from 'vitest';
import { app } from '../../src/app';

/**
 * The served /openapi.json, validated against the OpenAPI 3.1 schema by swagger-parser.
 * Runs in Node (see vitest.node.config.ts); the document needs no storage, so the env is a
 * stand-in whose D1 binding is never called.
 */
async function servedDocument(vars: Record<string, string> = {}): Promise<Record<string, unknown>> {
  const res = await app.request('/openapi.json', {}, { DB: {} as D1Database, ...vars });
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

describe('GET /openapi.json (validated by @apidevtools/swagger-parser)', () => {
  it('is a valid OpenAPI 3.1 document whose $refs all resolve', async () => {
    const doc = await servedDocument();
    const api = await SwaggerParser.validate(structuredClone(doc) as never);
    expect((api as { openapi?: string }).openapi).toBe('3.1.0');
    expect(Object.keys(api.paths ?? {})).toContain('/user/{uuid}');
  });

  it('is valid too with REQUIRE_API_KEY=on (every operation but the open ones then asks for the API key)', async () => {
    const doc = await servedDocument({ REQUIRE_API_KEY: 'on' });
    const api = await SwaggerParser.validate(structuredClone(doc) as never);
    const me = (api.paths?.['/user/me'] as { get?: { security?: unknown } } | undefined)?.get;
    expect(me?.security).toEqual([{ bearer: [], ApiKey: [] }]);
  });

  it('is refused by the validator once broken (so the check above can fail)', async () => {
    const withoutInfo = await servedDocument();
    delete withoutInfo.info;
    await expect(SwaggerParser.validate(withoutInfo as never)).rejects.toThrow();
    const danglingRef = await servedDocument();
    const paths = danglingRef.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>;
    paths['/user']!.post!.responses['201'] = { $ref: '#/components/responses/Missing' };
    await expect(SwaggerParser.validate(danglingRef as never)).rejects.toThrow();
  });
});
