import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env, exports } from 'cloudflare:workers';
import worker from '../../src/index';
import { BASE } from './api';

/** The token a page's forms carry (every form of a page carries the same one). */
export const csrfOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';

export interface FormOptions {
  /** `Origin` to send; the page's own by default, null for none. */
  origin?: string | null;
  /** `Sec-Fetch-Site` to send; none by default (then Origin decides). */
  site?: string;
  /** Leave the page's CSRF token out, or send this one instead. */
  csrf?: string | null;
  multipart?: boolean;
}

/**
 * A browser for the Workers tests: keeps cookies as a browser would (by name; deleted by Max-Age=0),
 * sends forms with this site's Origin, and never follows redirects, so a test sees each 303.
 * The real-browser tests (test/browser) cover what only Chromium can tell (cookie flags, CSP).
 */
export class PageClient {
  readonly cookies = new Map<string, string>();
  /** The CSRF token of the last page that had forms. */
  csrf = '';

  constructor(
    readonly opts: {
      headers?: Record<string, string>;
      /** Configuration for this client's requests only (a fresh env object: a fresh config parse). */
      vars?: Record<string, string>;
      /** Another env altogether (the round-trip test's counting D1). */
      env?: object;
    } = {},
  ) {}

  private keep(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (attrs.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  private cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async fetch(path: string, init: RequestInit & { headers?: Record<string, string> } = {}): Promise<Response> {
    const headers: Record<string, string> = { accept: 'text/html', ...this.opts.headers, ...init.headers };
    if (this.cookies.size > 0) headers.cookie = this.cookieHeader();
    const request = new Request(`${BASE}${path}`, { ...init, headers, redirect: 'manual' });
    const { vars, env: other } = this.opts;
    let res: Response;
    if (vars || other) {
      const ctx = createExecutionContext();
      res = await worker.fetch(request, (other ?? { ...env, ...vars }) as never, ctx);
      await waitOnExecutionContext(ctx);
    } else {
      res = await exports.default.fetch(request);
    }
    this.keep(res);
    return res;
  }

  /** Takes over another client's browser state (its cookies and the CSRF token of its last page), and returns this one. */
  adopt(other: PageClient): this {
    for (const [k, v] of other.cookies) this.cookies.set(k, v);
    this.csrf = other.csrf;
    return this;
  }

  /** GET a page; remembers its CSRF token. */
  async get(path: string): Promise<{ res: Response; html: string }> {
    const res = await this.fetch(path);
    const html = await res.text();
    const token = csrfOf(html);
    if (token) this.csrf = token;
    return { res, html };
  }

  /** POST a form as the page would (its CSRF token and this site's Origin unless told otherwise). */
  async post(path: string, fields: Record<string, string | File>, opts: FormOptions = {}): Promise<{ res: Response; html: string }> {
    const all: Record<string, string | File> = { ...fields };
    const csrf = opts.csrf === undefined ? this.csrf : opts.csrf;
    if (csrf !== null) all.csrf = csrf;
    const headers: Record<string, string> = {};
    const origin = opts.origin === undefined ? BASE : opts.origin;
    if (origin !== null) headers.origin = origin;
    if (opts.site) headers['sec-fetch-site'] = opts.site;
    let body: BodyInit;
    if (opts.multipart) {
      const form = new FormData();
      for (const [k, v] of Object.entries(all)) form.append(k, v);
      body = form;
    } else {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(all as Record<string, string>).toString();
    }
    const res = await this.fetch(path, { method: 'POST', headers, body });
    const html = await res.text();
    const token = csrfOf(html);
    if (token) this.csrf = token;
    return { res, html };
  }

  /** Opens /login and logs in; the session cookie is then in the jar. */
  async logIn(login: string, password: string, extra: Record<string, string> = {}) {
    await this.get('/login');
    return this.post('/login', { username: login, password, ...extra });
  }
}
