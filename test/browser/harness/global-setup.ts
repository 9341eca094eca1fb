import type { TestProject } from 'vitest/node';
import { type ChromiumLaunch, ChromiumUnavailable, findChromium } from './chromium';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The Chromium every browser test file launches (browser.ts), found once for the run. */
    chromium: ChromiumLaunch;
  }
}

/**
 * Once per `vitest run --config vitest.browser.config.ts`, before any file: finds Chromium and
 * launches it once (chromium.ts), so a missing browser fails the run at once with one line
 * instead of once per file, and @sparticuz/chromium unpacks before files race to do it.
 */
export default async function setup(project: TestProject) {
  try {
    project.provide('chromium', await findChromium());
  } catch (err) {
    if (!(err instanceof ChromiumUnavailable)) throw err;
    // Exactly one line and a failed run (exit status 1). Thrown instead, the error would be
    // printed twice among unrelated lines ("No test files found"); nothing has started yet.
    console.error(err.message);
    process.exit(1);
  }
}
