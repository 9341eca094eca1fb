import { env } from 'cloudflare:workers';
import { expect } from 'vitest';
import { base32Decode, hotp, stepAt } from '../../src/lib/totp';
import { body, post } from './api';
import { createUser, login, type TestUser } from './factories';

/** The code of the step `offset` away from now (one step of drift is accepted either way). */
export const codeFor = (secret: string, offset = 0) => hotp(base32Decode(secret)!, stepAt(Date.now()) + offset);

/**
 * Lets the factor accept codes of the current step again: tests that log in several times within
 * one 30-second step rewind the replay guard (last accepted step) between uses.
 */
export const forgetLastStep = (userUuid: string) => env.DB.prepare('update totp_factors set last_step = 0 where user_uuid = ?').bind(userUuid).run();

export interface MfaUser extends TestUser {
  secret: string;
  recoveryCodes: string[];
}

/** A new user with TOTP enrolled and active (through the API), the replay guard rewound. */
export async function mfaUser(): Promise<MfaUser> {
  const user = await createUser();
  const { access } = await login(user);
  const enrol = await post('/user/me/mfa/totp', { token: access, json: { current_password: user.password } });
  expect(enrol.status).toBe(200);
  const { secret } = await body<{ secret: string }>(enrol);
  const activated = await post('/user/me/mfa/totp/activate', { token: access, json: { code: await codeFor(secret) } });
  expect(activated.status).toBe(200);
  const { recovery_codes } = await body<{ recovery_codes: string[] }>(activated);
  await forgetLastStep(user.uuid);
  return { ...user, secret, recoveryCodes: recovery_codes };
}

/** The password grant's answer for an MFA user: the mfa_token of the 403. */
export async function mfaToken(user: { username: string; password: string }): Promise<string> {
  const res = await post('/token', { form: { grant_type: 'password', username: user.username, password: user.password } });
  expect(res.status).toBe(403);
  return (await body<{ mfa_token: string }>(res)).mfa_token;
}

export const OTP_GRANT = 'http://auth0.com/oauth/grant-type/mfa-otp';
export const RECOVERY_GRANT = 'http://auth0.com/oauth/grant-type/mfa-recovery-code';

/** An MFA user logged in with a current code (the replay guard rewound after, so a test may use the step again). */
export async function mfaAccess(user: MfaUser): Promise<string> {
  const res = await otpGrant(await mfaToken(user), await codeFor(user.secret));
  expect(res.status).toBe(200);
  await forgetLastStep(user.uuid);
  return (await body<{ access_token: string }>(res)).access_token;
}

export const otpGrant = (token: string, otp: string) => post('/token', { form: { grant_type: OTP_GRANT, mfa_token: token, otp } });
export const recoveryGrant = (token: string, code: string) => post('/token', { form: { grant_type: RECOVERY_GRANT, mfa_token: token, recovery_code: code } });
