import type { User } from '../../db/schema';
import { runBatch } from '../../db/statement';
import type { Deps } from '../../deps';
import { sha256Hex } from '../../lib/encoding';
import { UUID_PATTERN } from '../../lib/ids';
import type { Claims } from '../../policy/guard';
import { assertHuman } from '../captcha';
import { newBrowserSession, type SessionProof } from '../sessions/statements';
import { type NewUser, signUp } from '../users/sign-up';
import { afterSessionStart, type LoginResult, type LoginUser, type Opener, passwordLogin, sessionStartStatements } from './password-login';

/** What the pages set as their session cookie: the value, and a lifetime only with "remember me". */
export interface BrowserCookie {
  value: string;
  maxAgeSeconds?: number;
  sessionId: string;
}

const SECRET = /^[A-Za-z0-9_-]{43}$/;

/**
 * The cookie's value: `<session id>.<user uuid>.<secret>`, the secret 256 random bits of which
 * only the SHA-256 is stored. The ids let the pages load the caller and the page's data in one
 * D1 batch (like an access token's `sid` and `sub`); without the secret they open nothing.
 */
const cookieValue = (sessionId: string, userUuid: string, secret: string) => `${sessionId}.${userUuid}.${secret}`;

/** The claims a session cookie makes (checked by the caller batch), or null when it cannot be one of ours. */
export async function claimsFromCookie(value: string | undefined): Promise<(Claims & { secret: string }) | null> {
  const [sid, sub, secret, ...rest] = (value ?? '').split('.');
  if (rest.length > 0 || !sid || !sub || !secret || !UUID_PATTERN.test(sid) || !UUID_PATTERN.test(sub) || !SECRET.test(secret)) return null;
  return { sid, sub, secret, cookieHash: await sha256Hex(secret) };
}

export const browserOpener =
  (deps: Deps, remember: boolean): Opener<BrowserCookie> =>
  async (user: LoginUser, now: number, proof: SessionProof) => {
    const session = await newBrowserSession(deps.db, deps.config, user, deps.client, now, remember, proof);
    return {
      id: session.id,
      statements: session.statements,
      handOut: { value: cookieValue(session.id, user.uuid, session.secret), maxAgeSeconds: session.maxAgeSeconds, sessionId: session.id },
    };
  };

export interface BrowserLoginInput {
  login: string;
  password: string;
  remember: boolean;
  captcha?: string;
}

/**
 * A page login: the captcha when configured, then exactly the password grant's login (same
 * throttle, parity, login record and session rules), opening a browser session instead of a
 * refresh-token family.
 */
export async function browserLogin(deps: Deps, input: BrowserLoginInput): Promise<LoginResult<BrowserCookie>> {
  await assertHuman(deps, input.captcha);
  return passwordLogin(deps, input, browserOpener(deps, input.remember), input.remember ? 'page_remember' : 'page');
}

/**
 * The sign-up page: the same sign-up as `POST /user`, then the new user signed in (one more
 * round trip: the browser session, its login record and event). The PBKDF2 of the sign-up is
 * not paid twice.
 */
export async function signUpInBrowser(deps: Deps, input: NewUser, captcha: string | undefined): Promise<{ user: User; cookie: BrowserCookie }> {
  const user = await signUp(deps, input, captcha);
  const now = deps.now();
  const opening = await browserOpener(deps, false)(user, now, { amr: 'pwd' });
  const written = await runBatch(deps.db, sessionStartStatements(deps, user, opening, now));
  await afterSessionStart(deps, written, now);
  return { user, cookie: opening.handOut };
}
