import type { Deps } from '../../deps';
import { newSession } from '../sessions/statements';
import { issueAccessToken } from './access-token';
import { type LoginResult, passwordLogin } from './password-login';

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
  return passwordLogin(deps, input, async (user, now) => {
    const session = await newSession(deps.db, deps.config, user, deps.client, now);
    const access = await issueAccessToken(deps, { sub: user.uuid, sid: session.id, role: user.role }, now);
    return {
      id: session.id,
      statements: session.statements,
      handOut: { accessToken: access.token, expiresIn: access.expiresIn, refreshToken: session.refreshToken },
    };
  });
}
