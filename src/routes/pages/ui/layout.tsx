import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import { STYLESHEET_PATH } from '../styles';

export interface PageChrome {
  serviceName: string;
  /** The CSRF token of this browser's session or pre-session, for the log-out form. */
  csrf?: string;
  signedIn?: boolean;
  /** The nonce this response's CSP allows scripts by (only pages with Turnstile load one). */
  nonce?: string;
  /** External scripts to load with the nonce (Turnstile's). */
  scripts?: string[];
  /** A narrower column, for a page that is one short form (log in, sign up). */
  narrow?: boolean;
}

/** The frame of every page: a skip link, the site header with its navigation, the main region. */
export const Layout = (props: PageChrome & { title: string; children: Child }) => (
  <>
    {raw('<!doctype html>')}
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>{`${props.title} · ${props.serviceName}`}</title>
        <link rel="stylesheet" href={STYLESHEET_PATH} />
        {props.scripts?.map((src) => (
          <script src={src} nonce={props.nonce} async defer />
        ))}
      </head>
      <body>
        <a class="skip" href="#main">
          Skip to content
        </a>
        <header class="site">
          <a class="brand" href={props.signedIn ? '/account' : '/login'}>
            {props.serviceName}
          </a>
          <nav aria-label="Site">
            {props.signedIn ? (
              <form method="post" action="/logout" class="inline">
                <input type="hidden" name="csrf" value={props.csrf} />
                <button type="submit" class="link">
                  Log out
                </button>
              </form>
            ) : (
              <>
                <a href="/login">Log in</a>
                <a href="/signup">Sign up</a>
              </>
            )}
            <a href="/docs">API docs</a>
          </nav>
        </header>
        <main id="main" tabindex={-1} class={props.narrow ? 'narrow' : undefined}>
          {props.children}
        </main>
      </body>
    </html>
  </>
);
