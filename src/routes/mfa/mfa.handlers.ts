import type { AppRouteHandler } from '../../http/openapi';
import { activateTotp, disableTotp, regenerateRecoveryCodes, resetMfa, startEnrolment } from '../../services/mfa/totp';
import type * as routes from './mfa.routes';

export const enrolTotpHandler: AppRouteHandler<typeof routes.enrolTotp> = async (c) => {
  const enrolment = await startEnrolment(c.var.deps, c.var.access, { currentPassword: c.req.valid('json').current_password });
  return c.json({ secret: enrolment.secret, otpauth_uri: enrolment.otpauthUri }, 200);
};

export const activateTotpHandler: AppRouteHandler<typeof routes.activateTotp> = async (c) =>
  c.json({ recovery_codes: await activateTotp(c.var.deps, c.var.access, { code: c.req.valid('json').code }) }, 200);

export const disableTotpHandler: AppRouteHandler<typeof routes.disableTotp> = async (c) => {
  const body = c.req.valid('json');
  await disableTotp(c.var.deps, c.var.access, { currentPassword: body.current_password, code: body.code });
  return c.body(null, 204);
};

export const regenerateRecoveryCodesHandler: AppRouteHandler<typeof routes.regenerateRecoveryCodes> = async (c) =>
  c.json({ recovery_codes: await regenerateRecoveryCodes(c.var.deps, c.var.access, { code: c.req.valid('json').code }) }, 200);

export const resetUserMfaHandler: AppRouteHandler<typeof routes.resetUserMfa> = async (c) => {
  await resetMfa(c.var.deps, c.var.access, c.req.valid('param').uuid);
  return c.body(null, 204);
};
