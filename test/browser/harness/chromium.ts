/**
 * Which Chromium the browser tests drive, decided once per run (global-setup.ts):
 *
 * - `CHROMIUM_PATH` set: that executable (a local Chrome or Chromium, e.g. on macOS
 *   `/Applications/Google Chrome.app/Contents/MacOS/Google Chrome`), with playwright's own flags.
 * - otherwise, on Linux x64: the headless Chromium inside the `@sparticuz/chromium` npm package
 *   (a devDependency, so `npm ci` brings it; `executablePath()` unpacks it from node_modules to
 *   the temp directory, nothing is downloaded), with that package's flags minus the few below.
 *
 * Never a browser fetched from anywhere else. When neither works the run fails, never skips,
 * with one line saying what to do (CHROMIUM_HELP).
 */
import { chromium as playwright } from 'playwright-core';

export interface ChromiumLaunch {
  readonly executablePath: string;
  readonly args: string[];
  /** Where it came from, for messages. */
  readonly source: 'CHROMIUM_PATH' | '@sparticuz/chromium';
}

export const CHROMIUM_HELP =
  'Browser tests need Chromium: on Linux x64 the @sparticuz/chromium devDependency provides it (run npm ci); elsewhere set CHROMIUM_PATH=/path/to/chrome';

/**
 * Flags of @sparticuz/chromium's list (made for AWS Lambda) that these tests must not have:
 * --single-process crashes the browser when a second context opens (a fresh context per test
 * is the point of the harness), and the two below weaken the very checks the tests make (the
 * same-origin policy, mixed content).
 */
const DROPPED_FLAGS = new Set(['--single-process', '--disable-web-security', '--allow-running-insecure-content']);

/** Thrown with a message of one line; the stack is left off so the runner prints just that line. */
export class ChromiumUnavailable extends Error {
  constructor(reason: string) {
    super(`${CHROMIUM_HELP} (${reason.split('\n')[0]?.trim()})`);
    this.name = 'ChromiumUnavailable';
    this.stack = this.message;
  }
}

async function sparticuz(): Promise<ChromiumLaunch> {
  if (process.platform !== 'linux' || process.arch !== 'x64') throw new ChromiumUnavailable(`this is ${process.platform}-${process.arch}`);
  const { default: chromium } = await import('@sparticuz/chromium');
  const executablePath = await chromium.executablePath();
  return { executablePath, args: chromium.args.filter((a) => !DROPPED_FLAGS.has(a)), source: '@sparticuz/chromium' };
}

/** The Chromium to use, proven by one launch, or ChromiumUnavailable. */
export async function findChromium(): Promise<ChromiumLaunch> {
  const path = process.env.CHROMIUM_PATH;
  let found: ChromiumLaunch;
  try {
    found = path ? { executablePath: path, args: [], source: 'CHROMIUM_PATH' } : await sparticuz();
  } catch (err) {
    if (err instanceof ChromiumUnavailable) throw err;
    throw new ChromiumUnavailable(`@sparticuz/chromium: ${(err as Error).message}`);
  }
  try {
    const browser = await launch(found);
    await browser.close();
  } catch (err) {
    throw new ChromiumUnavailable(`${found.source} ${found.executablePath} did not start: ${(err as Error).message}`);
  }
  return found;
}

/** Starts a headless browser from a ChromiumLaunch. */
export const launch = ({ executablePath, args }: ChromiumLaunch) => playwright.launch({ executablePath, args, headless: true, timeout: 60_000 });
