import type { Deps } from '../../deps';
import { newSession } from '../sessions/statements';
import { issueAccessToken } from './access-token';
import { type LoginResult, type Opener, passwordLogin } from './password-login';

export interface Tokens {
  accessToken: string;
  expiresIn: number;
  refreshToken: string;
}

export type PasswordGrantResult = LoginResult<Tokens>;

/**
 * The password grant of /token: `passwordLogin` opening a refresh-token session. The access
 * token is signed before anything is written, so a missing key (503) leaves no session behind.
 */
export function passwordGrant(deps: Deps, input: { login: string; password: string }): Promise<PasswordGrantResult> {
  return passwordLogin(deps, input, tokenOpener(deps), 'token');
}

/** Opens a refresh-token session and signs its first access token (with the methods the login proved). */
export const tokenOpener =
  (deps: Deps): Opener<Tokens> =>
  async (user, now, proof) => {
    // The key's client (the login's first batch checked it) goes on the session: refreshes keep it.
    const clientId = deps.apiKey?.client?.id;
    const session = await newSession(deps.db, deps.config, user, deps.client, now, clientId ? { ...proof, clientId } : proof);
    const access = await issueAccessToken(deps, { sub: user.uuid, sid: session.id, role: user.role, amr: proof.amr.split(' '), clientId }, now);
    return {
      id: session.id,
      statements: session.statements,
      handOut: { accessToken: access.token, expiresIn: access.expiresIn, refreshToken: session.refreshToken },
    };
  };
