import { hex, utf8 } from './encoding';

/*
 * Have I Been Pwned's Pwned Passwords range API (k-anonymity), for NIST SP 800-63B-4
 * §3.1.1.2's "passwords obtained from previous breach corpuses". Only the first five hex
 * characters of the SHA-1 leave the Worker; HIBP answers with every suffix under that prefix
 * (hundreds), and with `Add-Padding: true` pads the answer with fake suffixes of count 0 so its
 * size does not tell an observer which prefix was asked. The match happens here.
 *
 * When HIBP is down, slow or answers an error, the result is 'unavailable' and the caller
 * accepts the password (logging a warning, never the password or its hash): the check is an
 * optional extra on top of the shipped list and zxcvbn, which already refuse the most common
 * passwords, and a third party's outage must not stop anyone from signing up or changing a
 * password. Failing closed would make HIBP's availability ours.
 */

export type BreachResult = 'breached' | 'clean' | 'unavailable';

export const HIBP_RANGE_URL = 'https://api.pwnedpasswords.com/range/';
/** Sign-up waits at most this long for HIBP; its answers usually take well under 100 ms. */
export const DEFAULT_BREACH_TIMEOUT_MS = 2000;
/** The reason for a 'breached' answer, worded like passwordProblem's (shown after "The password "). */
export const BREACHED_REASON = 'appears in a known data breach; choose another';

export interface BreachCheckOptions {
  timeoutMs?: number;
  /** For tests and wrappers; `globalThis.fetch` otherwise, looked up at call time. */
  fetch?: typeof fetch;
}

/** SHA-1 of the NFC password, upper-case hex, as HIBP's range API expects. */
async function sha1Upper(password: string): Promise<string> {
  return hex(await crypto.subtle.digest('SHA-1', utf8(password.normalize('NFC')))).toUpperCase();
}

/** Whether the range answer lists `suffix` with a count above zero (count-0 lines are padding). */
export function rangeHasSuffix(body: string, suffix: string): boolean {
  for (const line of body.split('\n')) {
    const colon = line.indexOf(':');
    if (colon === -1 || line.slice(0, colon).trim().toUpperCase() !== suffix) continue;
    if (Number.parseInt(line.slice(colon + 1).trim(), 10) > 0) return true;
  }
  return false;
}

/**
 * Looks the password up in Pwned Passwords. Sends exactly one GET with the 5-character prefix
 * in the path and no body; gives up after `timeoutMs` (the abort covers the body too, and the
 * race covers a fetch that ignores its signal).
 */
export async function checkBreached(password: string, opts: BreachCheckOptions = {}): Promise<BreachResult> {
  const hash = await sha1Upper(password);
  const prefix = hash.slice(0, 5);
  const suffix = hash.slice(5);
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new Error('HIBP range lookup timed out'));
    }, opts.timeoutMs ?? DEFAULT_BREACH_TIMEOUT_MS);
  });
  const lookup = async (): Promise<BreachResult> => {
    const init: RequestInit = { method: 'GET', headers: { 'Add-Padding': 'true' }, signal: controller.signal };
    const url = `${HIBP_RANGE_URL}${prefix}`;
    const res = await (opts.fetch ? opts.fetch(url, init) : fetch(url, init));
    if (!res.ok) {
      await res.body?.cancel();
      return 'unavailable';
    }
    return rangeHasSuffix(await res.text(), suffix) ? 'breached' : 'clean';
  };
  try {
    return await Promise.race([lookup(), timeout]);
  } catch {
    return 'unavailable';
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}
