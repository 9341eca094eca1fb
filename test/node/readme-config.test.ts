import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES } from '../../src/config';
import { PROBLEMS, problemType } from '../../src/lib/problem';

const README = readFileSync(resolve(import.meta.dirname, '../../README.md'), 'utf8');

/** The rows of the Markdown table that follows `heading`, as arrays of cells. */
function tableAfter(heading: string): string[][] {
  const start = README.indexOf(heading);
  expect(start, `README has a "${heading}" section`).toBeGreaterThanOrEqual(0);
  const lines = README.slice(start).split('\n');
  const first = lines.findIndex((l) => l.startsWith('|'));
  const rows: string[][] = [];
  for (const line of lines.slice(first + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(
      line
        .split('|')
        .slice(1, -1)
        .map((c) => c.trim()),
    );
  }
  return rows;
}

const names = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);

describe('README.md', () => {
  it('lists every configuration variable the worker reads, and no other', () => {
    const documented = tableAfter('## Configuration').flatMap((row) => names(row[0]!));
    expect([...new Set(documented)].sort()).toEqual([...CONFIG_VARIABLES].sort());
  });

  it('lists every kind of problem with its type URI and status', () => {
    const rows = tableAfter('### Problem types');
    const listed = rows.map((row) => ({ type: names(row[0]!)[0], status: Number(row[1]) }));
    const expected = Object.entries(PROBLEMS).map(([code, p]) => ({ type: problemType(code as keyof typeof PROBLEMS), status: p.status }));
    expect(listed.sort((a, b) => a.type!.localeCompare(b.type!))).toEqual(expected.sort((a, b) => a.type.localeCompare(b.type)));
  });
});
