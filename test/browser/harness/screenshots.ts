/// <reference lib="dom" />
// The functions passed to page.evaluate() run in the page: they use the DOM's globals.
/**
 * Screenshots of pages for review and for the docs, taken only when `SCREENSHOTS=1`
 * (`SCREENSHOTS=1 npm run test:browser`); otherwise screenshot() does nothing, so the tests can
 * call it unconditionally. Each call writes full-page PNGs at 320 and 1280 px wide,
 * `test/browser/.screenshots/<name>-320.png` and `<name>-1280.png` (git-ignored), and copies
 * the 1280 px one to `docs/pages/<name>.png` (committed, for the README and docs to show).
 *
 * @example
 * await page.goto(worker.url('/login'));
 * await screenshot(page, 'login');           // after the state worth showing (errors shown, …)
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { VIEWPORT_HEIGHT, WIDTHS } from './widths';

const ROOT = resolve(import.meta.dirname, '../../..');
export const SCREENSHOT_DIR = join(ROOT, 'test/browser/.screenshots');
export const DOCS_PAGES_DIR = join(ROOT, 'docs/pages');

export const screenshotsWanted = () => process.env.SCREENSHOTS === '1';

/** Waits until the browser has laid out and painted the current state (two animation frames). */
const settled = (page: Page) => page.evaluate(() => new Promise<void>((done) => requestAnimationFrame(() => requestAnimationFrame(() => done()))));

/**
 * When SCREENSHOTS=1: the page as it is now, full length, at each width (resized in place, not
 * reloaded, so a form's state stays), then the viewport back as it was. Returns the files written.
 */
export async function screenshot(page: Page, name: string): Promise<string[]> {
  if (!screenshotsWanted()) return [];
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) throw new Error(`screenshot name ${JSON.stringify(name)}: use a-z, 0-9 and -`);
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  mkdirSync(DOCS_PAGES_DIR, { recursive: true });
  const before = page.viewportSize();
  const written: string[] = [];
  try {
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: VIEWPORT_HEIGHT });
      await settled(page);
      const path = join(SCREENSHOT_DIR, `${name}-${width}.png`);
      await page.screenshot({ path, fullPage: true, animations: 'disabled' });
      written.push(path);
      if (width === WIDTHS[WIDTHS.length - 1]) {
        const copy = join(DOCS_PAGES_DIR, `${name}.png`);
        copyFileSync(path, copy);
        written.push(copy);
      }
    }
  } finally {
    if (before) await page.setViewportSize(before);
  }
  return written;
}
