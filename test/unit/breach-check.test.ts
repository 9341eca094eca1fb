import { afterEach, describe, expect, it, vi } from 'vitest';
import { checkBreached, HIBP_RANGE_URL } from '../../src/lib/breach-check';

const PASSWORD = 'Tr0ub4dor&3 and a long tail';

/** SHA-1 computed here, independently of the module under test. */
async function sha1(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-1', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)]
    .map((b) => b.toString(16).padStart(2, '0'))
    .join('')
    .toUpperCase();
}

/** A range answer as HIBP sends it: CRLF lines, padding entries with count 0. */
const padding = (n: number) => Array.from({ length: n }, (_, i) => `${i.toString(16).toUpperCase().padStart(35, 'F')}:0`);
const rangeBody = (lines: string[]) => [...padding(3), ...lines, ...padding(3)].join('\r\n');

/** Replaces fetch at the network boundary and records every request as a Request. */
function stubFetch(answer: (req: Request) => Promise<Response>) {
  const seen: Request[] = [];
  const spy = vi.spyOn(globalThis, 'fetch').mockImplementation(async (input, init) => {
    const req = new Request(input as RequestInfo, init);
    seen.push(req);
    return answer(req);
  });
  return { spy, seen };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('checkBreached', () => {
  it('sends one GET with only the first five hex characters of the SHA-1, Add-Padding, and no body', async () => {
    const hash = await sha1(PASSWORD);
    const { spy, seen } = stubFetch(async () => new Response(rangeBody([`${hash.slice(5)}:42`])));
    expect(await checkBreached(PASSWORD, { timeoutMs: 2000 })).toBe('breached');
    expect(spy).toHaveBeenCalledTimes(1);
    const req = seen[0]!;
    expect(req.method).toBe('GET');
    expect(req.url).toBe(`${HIBP_RANGE_URL}${hash.slice(0, 5)}`);
    expect(new URL(req.url).pathname).toBe(`/range/${hash.slice(0, 5)}`);
    expect(req.headers.get('add-padding')).toBe('true');
    const body = await req.text();
    expect(body).toBe('');
    // Nothing else of the hash or the password anywhere in what leaves the Worker.
    const sent = [req.url, ...[...req.headers].map(([k, v]) => `${k}: ${v}`), body].join('\n');
    for (const secret of [hash, hash.toLowerCase(), hash.slice(5), hash.slice(5).toLowerCase(), hash.slice(0, 6), PASSWORD, encodeURIComponent(PASSWORD)]) {
      expect(sent).not.toContain(secret);
    }
    expect([...req.headers.keys()].sort()).toEqual(['add-padding']);
  });

  it('finds the suffix among padding lines, in either case, and answers clean when it is absent', async () => {
    const hash = await sha1(PASSWORD);
    stubFetch(async () => new Response(rangeBody([`${hash.slice(5).toLowerCase()}:3`])));
    expect(await checkBreached(PASSWORD, { timeoutMs: 2000 })).toBe('breached');
    vi.restoreAllMocks();
    const other = `${hash.slice(5, 34)}${hash[34] === '0' ? '1' : '0'}`;
    stubFetch(async () => new Response(rangeBody([`${other}:1000`])));
    expect(await checkBreached(PASSWORD, { timeoutMs: 2000 })).toBe('clean');
  });

  it('ignores a padding line (count 0) that happens to carry the suffix', async () => {
    const hash = await sha1(PASSWORD);
    stubFetch(async () => new Response(rangeBody([`${hash.slice(5)}:0`])));
    expect(await checkBreached(PASSWORD, { timeoutMs: 2000 })).toBe('clean');
  });

  it('hashes the NFC form: composed and decomposed input ask for the same range', async () => {
    const { seen } = stubFetch(async () => new Response(rangeBody([])));
    await checkBreached('caf\u00e9 au lait every morning', { timeoutMs: 2000 });
    await checkBreached('cafe\u0301 au lait every morning', { timeoutMs: 2000 });
    expect(seen[0]!.url).toBe(seen[1]!.url);
    expect(seen[0]!.url).toBe(`${HIBP_RANGE_URL}${(await sha1('caf\u00e9 au lait every morning')).slice(0, 5)}`);
  });

  it('answers unavailable on a 500', async () => {
    stubFetch(async () => new Response('oops', { status: 500 }));
    expect(await checkBreached(PASSWORD, { timeoutMs: 2000 })).toBe('unavailable');
  });

  it('answers unavailable on a network error', async () => {
    stubFetch(async () => {
      throw new TypeError('Network connection lost.');
    });
    expect(await checkBreached(PASSWORD, { timeoutMs: 2000 })).toBe('unavailable');
  });

  it('answers unavailable when HIBP stalls beyond the timeout, and aborts the request', async () => {
    const { seen } = stubFetch((req) => new Promise((_, reject) => req.signal.addEventListener('abort', () => reject(req.signal.reason))));
    const started = Date.now();
    expect(await checkBreached(PASSWORD, { timeoutMs: 50 })).toBe('unavailable');
    expect(Date.now() - started).toBeLessThan(1500);
    expect(seen[0]!.signal.aborted).toBe(true);
  });

  it('answers unavailable when a stalled fetch ignores its signal', async () => {
    stubFetch(() => new Promise<Response>(() => {}));
    expect(await checkBreached(PASSWORD, { timeoutMs: 50 })).toBe('unavailable');
  });

  it('answers unavailable when the body stalls after the headers', async () => {
    const stalled = new ReadableStream({ start() {} });
    stubFetch(async () => new Response(stalled));
    expect(await checkBreached(PASSWORD, { timeoutMs: 50 })).toBe('unavailable');
  });

  it('uses an injected fetch instead of the global one', async () => {
    const hash = await sha1(PASSWORD);
    const global = vi.spyOn(globalThis, 'fetch');
    const injected = vi.fn(async () => new Response(rangeBody([`${hash.slice(5)}:7`])));
    expect(await checkBreached(PASSWORD, { timeoutMs: 2000, fetch: injected as unknown as typeof fetch })).toBe('breached');
    expect(injected).toHaveBeenCalledTimes(1);
    expect(global).not.toHaveBeenCalled();
  });
});
