/// <reference lib="dom" />
// The functions passed to page.evaluate() run in the page: they use the DOM's globals.
/**
 * One browser per test file, one fresh context (cookies, storage, routes) per test.
 *
 * @example
 * const browser = useBrowser();           // at the top of the file: launches in beforeAll
 * it('…', async () => {
 *   const { page, blocked, cspViolations } = await browser.newPage();  // offline but for 127.0.0.1
 *   await page.goto(worker.url('/login'));
 *   expect(blocked).toEqual([]);           // nothing tried to leave the machine
 *   expect(await cspViolations()).toEqual([]);
 * });                                      // the context closes after the test
 */
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, inject } from 'vitest';
import { launch } from './chromium';
import { VIEWPORT_HEIGHT, WIDTHS } from './widths';

/** The only host a test page may reach: the worker under `wrangler dev` (server.ts). */
export const LOCAL_HOST = '127.0.0.1';

/**
 * Makes `context` abort every request whose host is not 127.0.0.1 (route abort) and returns the
 * list it appends their URLs to, so a test can assert that none was even attempted. Requests
 * the page's own CSP refuses never reach the network, hence never this list: cspViolations()
 * reports those.
 */
export async function blockNetwork(context: BrowserContext): Promise<string[]> {
  const blocked: string[] = [];
  await context.route(
    // data: and blob: URLs load nothing from the network.
    (url) => url.hostname !== LOCAL_HOST && url.protocol !== 'data:' && url.protocol !== 'blob:',
    (route) => {
      blocked.push(route.request().url());
      return route.abort('blockedbyclient');
    },
  );
  return blocked;
}

declare global {
  interface Window {
    __cspViolations?: string[];
  }
}

/**
 * Records every Content-Security-Policy violation of the context's pages (the
 * `securitypolicyviolation` event, as `<directive> <blocked URI>`). Init scripts are run by the
 * browser itself, not by the page, so the page's own CSP does not stop this one.
 */
async function recordCspViolations(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations?.push(`${e.effectiveDirective} ${e.blockedURI}`));
  });
}

export interface PageOptions {
  /** Block every host but 127.0.0.1 (default true). */
  offline?: boolean;
  /**
   * Run the page without its CSP (playwright's bypassCSP). Not needed for axe (axe.ts evaluates
   * its source, which CSP does not govern); only for a test that must inject an inline script.
   */
  bypassCSP?: boolean;
  /** Default: 1280 × 800 (the wide one of WIDTHS). */
  viewport?: { width: number; height: number };
  /** Anything else for browser.newContext(), e.g. `javaScriptEnabled: false`, `locale`. */
  context?: BrowserContextOptions;
}

export interface TestPage {
  page: Page;
  context: BrowserContext;
  /** URLs the page tried to fetch from anywhere but 127.0.0.1, all aborted (empty when `offline: false`). */
  blocked: string[];
  /** Uncaught errors of the page's scripts (`pageerror`). */
  errors: string[];
  /** The CSP violations of the current document so far, as `<directive> <blocked URI>`. */
  cspViolations(): Promise<string[]>;
  /**
   * Awaits `step` (a wait for the page to render, say); when it fails, fails with what the page
   * ran into as well: the blocked requests, CSP violations and script errors so far, which
   * usually say why it did not render.
   */
  explain<T>(step: Promise<T>): Promise<T>;
}

export interface BrowserHandle {
  /** This file's browser (from beforeAll on). */
  readonly browser: Browser;
  /** A page in a fresh context, closed after the current test. */
  newPage(options?: PageOptions): Promise<TestPage>;
}

/** Launches this file's browser in beforeAll and closes it in afterAll; see the module example. */
export function useBrowser(): BrowserHandle {
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    browser = await launch(inject('chromium'));
  });
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await browser?.close();
  });
  const current = () => {
    if (!browser) throw new Error('useBrowser(): the browser starts in beforeAll; call newPage() inside a test');
    return browser;
  };
  return {
    get browser() {
      return current();
    },
    async newPage({ offline = true, bypassCSP = false, viewport = { width: WIDTHS[1], height: VIEWPORT_HEIGHT }, context: extra } = {}) {
      const context = await current().newContext({ viewport, bypassCSP, ...extra });
      contexts.push(context);
      const blocked = offline ? await blockNetwork(context) : [];
      await recordCspViolations(context);
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (err) => errors.push(err.message));
      const cspViolations = () => page.evaluate(() => window.__cspViolations ?? []);
      const explain = async <T>(step: Promise<T>): Promise<T> => {
        try {
          return await step;
        } catch (err) {
          const csp = await cspViolations().catch(() => ['(page gone)']);
          const seen = { blocked, cspViolations: csp, errors };
          throw new Error(`${(err as Error).message}\nThe page ran into: ${JSON.stringify(seen, null, 2)}`);
        }
      };
      return { page, context, blocked, errors, cspViolations, explain };
    },
  };
}
