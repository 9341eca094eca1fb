/// <reference lib="dom" />
// The functions passed to page.evaluate() run in the page: they use the DOM's globals.
/**
 * Accessibility checks with axe-core (the npm package, loaded from node_modules).
 *
 * How axe gets into a page with a strict CSP: `page.evaluate(source)` of axe.min.js. Playwright
 * evaluates through the DevTools protocol, which the page's CSP does not govern, and axe itself
 * needs no eval, so this works on the real policy (tried on /docs and /redocs).
 * `page.addScriptTag({ content })` does NOT: it adds an inline <script>, which `script-src`
 * without 'unsafe-inline' refuses ("Executing inline script violates … Content Security
 * Policy"). So no `bypassCSP` context is needed, and the page is checked under the CSP it ships.
 *
 * @example
 * await expectNoSeriousViolations(page);                                // the page as it is now
 * await checkAxeAtBothWidths(page, worker.url('/login'));               // load at 320 and 1280 px, check each
 * await checkAxeAtBothWidths(page, worker.url('/docs'), { disableRules: ['color-contrast'], ready: (p) => p.waitForSelector('.opblock') });
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { VIEWPORT_HEIGHT, WIDTHS } from './widths';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** The impacts that fail a page: the SPEC allows no serious or critical violation. */
export const FAILING_IMPACTS = ['serious', 'critical'] as const;

export interface AxeViolation {
  id: string;
  impact: 'minor' | 'moderate' | 'serious' | 'critical' | null;
  help: string;
  helpUrl: string;
  /** CSS selectors of the offending nodes, with axe's explanation of the first check that failed. */
  nodes: { target: string; why: string }[];
}

export interface AxeOptions {
  /** Rule ids to switch off, each with its reason in a comment where it is passed. */
  disableRules?: string[];
}

declare global {
  interface Window {
    axe?: {
      run(context: Document, options: object): Promise<{ violations: RawViolation[] }>;
    };
  }
}
type RawViolation = {
  id: string;
  impact: AxeViolation['impact'];
  help: string;
  helpUrl: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
};

/** Every axe violation of the page as it is now (WCAG 2.x A/AA rules and axe's best practices). */
export async function axeViolations(page: Page, { disableRules = [] }: AxeOptions = {}): Promise<AxeViolation[]> {
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE_SOURCE);
  const rules = Object.fromEntries(disableRules.map((id) => [id, { enabled: false }]));
  const raw = await page.evaluate(async (rules) => (await window.axe!.run(document, { rules, resultTypes: ['violations'] })).violations, rules);
  return raw.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({ target: n.target.map(String).join(' '), why: (n.failureSummary ?? '').replace(/\s+/g, ' ').trim() })),
  }));
}

/** The violations that fail a page (serious or critical). */
export const failing = (violations: AxeViolation[]) => violations.filter((v) => v.impact && (FAILING_IMPACTS as readonly string[]).includes(v.impact));

/** A readable list: id, impact, help and URL, then up to 10 target nodes each. */
export function describeViolations(violations: AxeViolation[]): string {
  return violations
    .map((v) => {
      const nodes = v.nodes.slice(0, 10).map((n) => `    ${n.target}\n      ${n.why}`);
      const more = v.nodes.length > 10 ? [`    … and ${v.nodes.length - 10} more`] : [];
      return [`  ${v.id} (${v.impact}): ${v.help} ${v.helpUrl}`, ...nodes, ...more].join('\n');
    })
    .join('\n');
}

/** Fails, listing each one, when the page as it is now has a serious or critical violation. */
export async function expectNoSeriousViolations(page: Page, options: AxeOptions & { label?: string } = {}): Promise<void> {
  const found = failing(await axeViolations(page, options));
  if (found.length > 0)
    throw new Error(`axe: ${found.length} serious or critical violation(s) on ${options.label ?? page.url()}:\n${describeViolations(found)}`);
}

export interface BothWidthsOptions extends AxeOptions {
  /** Waits until the page is ready to be checked (a script-built page); default: the load event. */
  ready?: (page: Page) => Promise<unknown>;
}

/**
 * Loads `url` at 320 px and at 1280 px wide and checks each for serious or critical violations;
 * reports every width's findings together. Leaves the page at 1280 px.
 */
export async function checkAxeAtBothWidths(page: Page, url: string, { ready, ...options }: BothWidthsOptions = {}): Promise<void> {
  const problems: string[] = [];
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: VIEWPORT_HEIGHT });
    await page.goto(url);
    await ready?.(page);
    const found = failing(await axeViolations(page, options));
    if (found.length > 0) problems.push(`at ${width} px:\n${describeViolations(found)}`);
  }
  if (problems.length > 0) throw new Error(`axe: serious or critical violations on ${url}\n${problems.join('\n')}`);
}
