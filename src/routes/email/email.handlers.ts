import type { AppRouteHandler } from '../../http/openapi';
import { confirmEmail } from '../../services/email/confirm-email';
import { forgotPassword } from '../../services/email/forgot-password';
import { requestEmailChange } from '../../services/email/request-email-change';
import { resendVerification } from '../../services/email/resend-verification';
import { resetPassword } from '../../services/email/reset-password';
import type * as routes from './email.routes';

const accepted = (detail: string) => ({ status: 'accepted' as const, detail });
/** One body for every request to /password/forgot, known address or not. */
export const FORGOT_ACCEPTED = accepted('If the address belongs to an account, a message is on its way');

export const resendVerificationHandler: AppRouteHandler<typeof routes.resendVerification> = async (c) => {
  await resendVerification(c.var.deps, c.var.access);
  return c.json(accepted('A verification message is on its way'), 202);
};

export const requestEmailChangeHandler: AppRouteHandler<typeof routes.requestEmailChange> = async (c) => {
  const body = c.req.valid('json');
  await requestEmailChange(c.var.deps, c.var.access, { email: body.email, currentPassword: body.current_password });
  return c.json(accepted('A confirmation is on its way to the new address'), 202);
};

export const forgotPasswordHandler: AppRouteHandler<typeof routes.forgotPassword> = async (c) => {
  await forgotPassword(c.var.deps, c.req.valid('json'));
  return c.json(FORGOT_ACCEPTED, 202);
};

export const resetPasswordHandler: AppRouteHandler<typeof routes.resetPassword> = async (c) => {
  const body = c.req.valid('json');
  await resetPassword(c.var.deps, { token: body.token, newPassword: body.new_password });
  return c.body(null, 204);
};

export const verifyEmailHandler: AppRouteHandler<typeof routes.verifyEmail> = async (c) => {
  await confirmEmail(c.var.deps, c.req.valid('json'));
  return c.body(null, 204);
};
