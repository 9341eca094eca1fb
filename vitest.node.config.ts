import { defineConfig } from 'vitest/config';

/**
 * Tests that need Node rather than the Workers runtime: @apidevtools/swagger-parser compiles
 * JSON Schemas with `new Function`, which workerd forbids. `npm test` runs this after the
 * Workers suite (vitest.config.ts, which excludes test/node).
 */
export default defineConfig({
  test: {
    name: 'node',
    environment: 'node',
    include: ['test/node/**/*.test.ts'],
    testTimeout: 20_000,
  },
});
