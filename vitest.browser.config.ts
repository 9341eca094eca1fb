import { defineConfig } from 'vitest/config';

/**
 * Browser tests (test/browser): playwright-core drives a headless Chromium against the real
 * worker under `wrangler dev` (test/browser/harness). `npm test` runs them last; alone:
 * `npm run test:browser` (`SCREENSHOTS=1` also writes screenshots). Chromium is found once by
 * the global setup (CHROMIUM_PATH, else @sparticuz/chromium on Linux x64), which fails the run
 * with one line when there is none.
 *
 * Files run one after another: each starts its own worker (wrangler + two workerd) and its own
 * browser, and CI has two cores.
 */
export default defineConfig({
  test: {
    name: 'browser',
    environment: 'node',
    include: ['test/browser/**/*.test.ts'],
    globalSetup: ['./test/browser/harness/global-setup.ts'],
    fileParallelism: false,
    // A cold `wrangler dev` build and the first Chromium start are slow on a small machine.
    testTimeout: 90_000,
    hookTimeout: 180_000,
    teardownTimeout: 30_000,
  },
});
