import { COMMON_PASSWORDS } from './common-passwords.data';

/** NFC, then lower case: the form the list is stored in (see scripts/build-common-passwords.ts). */
export const foldPassword = (password: string) => password.normalize('NFC').toLowerCase().normalize('NFC');

/*
 * The list is one string: sorted entries front-coded in blocks, one block a line. A line is the
 * block's first entry in full, then per entry a tab, one character (48 + how many leading
 * characters it shares with the entry before) and the rest of the entry. Front coding keeps
 * the bundle about 7 KB (gzip) smaller than a plain list.
 */
const TAB = '\t';
const PREFIX_BASE = 48;

/** Calls `visit` with each entry of the block starting at `start` until it returns true. */
function scanBlock(list: string, start: number, end: number, visit: (entry: string) => boolean): boolean {
  let entry = '';
  let at = start;
  while (at < end) {
    const tab = list.indexOf(TAB, at);
    const stop = tab === -1 || tab > end ? end : tab;
    entry = at === start ? list.slice(at, stop) : entry.slice(0, list.charCodeAt(at) - PREFIX_BASE) + list.slice(at + 1, stop);
    if (visit(entry)) return true;
    at = stop + 1;
  }
  return false;
}

/** Start and end of the line (block) holding position `at`. */
function blockAround(list: string, at: number): [number, number] {
  const start = list.lastIndexOf('\n', at - 1) + 1;
  const newline = list.indexOf('\n', start);
  return [start, newline === -1 ? list.length : newline];
}

/**
 * Whether a password is on the shipped list of the most common passwords, ignoring case.
 * Binary search over the blocks' first entries straight in the string, then a walk through at
 * most one block: O(log n) comparisons, no index built per isolate, and nothing allocated but
 * the entries under comparison, so every check costs the same small, constant memory.
 *
 * @example isCommonPassword('Password1') // true
 */
export function isCommonPassword(password: string): boolean {
  const key = foldPassword(password);
  if (key.length === 0 || key.includes(TAB) || key.includes('\n')) return false;
  const list = COMMON_PASSWORDS;
  // Invariant: lo is a block start; the last block whose head is <= key starts in [lo, hi) or is `found`.
  let lo = 0;
  let hi = list.length;
  let found: [number, number] | undefined;
  while (lo < hi) {
    const [start, end] = blockAround(list, (lo + hi) >>> 1);
    const tab = list.indexOf(TAB, start);
    const head = list.slice(start, tab === -1 || tab > end ? end : tab);
    if (head <= key) {
      found = [start, end];
      lo = end + 1;
    } else {
      hi = start;
    }
  }
  if (!found) return false;
  let hit = false;
  scanBlock(list, found[0], found[1], (entry) => {
    hit = entry === key;
    return entry >= key;
  });
  return hit;
}

/** Every entry of the list, in order (for tests and tooling; the lookup never builds it). */
export function commonPasswordEntries(): string[] {
  const out: string[] = [];
  let start = 0;
  while (start < COMMON_PASSWORDS.length) {
    const [, end] = blockAround(COMMON_PASSWORDS, start);
    scanBlock(COMMON_PASSWORDS, start, end, (entry) => {
      out.push(entry);
      return false;
    });
    start = end + 1;
  }
  return out;
}
