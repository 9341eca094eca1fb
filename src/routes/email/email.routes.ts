import { createRoute } from '@hono/zod-openapi';
import { bearer, json, jsonBody, problems } from '../../http/openapi';
import { requireAuth } from '../../middleware/require-auth';
import { AcceptedSchema, EmailChangeSchema, ForgotPasswordSchema, ResetPasswordSchema, VerifyEmailSchema } from './email.schemas';

const tags = ['Email'];

export const resendVerification = createRoute({
  method: 'post',
  path: '/user/me/email/verification',
  tags,
  summary: "Send a new verification link to the caller's address",
  security: bearer,
  middleware: [requireAuth()] as const,
  responses: { 202: json(AcceptedSchema, 'A message is on its way'), ...problems(400, 401, 409, 413, 429) },
});

export const requestEmailChange = createRoute({
  method: 'post',
  path: '/user/me/email',
  tags,
  summary: 'Change the email address: a confirmation link goes to the new one, which changes only when it is used',
  security: bearer,
  middleware: [requireAuth()] as const,
  request: { body: jsonBody(EmailChangeSchema) },
  responses: { 202: json(AcceptedSchema, 'A confirmation is on its way to the new address'), ...problems(400, 401, 409, 413, 415, 422, 429) },
});

export const forgotPassword = createRoute({
  method: 'post',
  path: '/password/forgot',
  tags,
  summary: 'Ask for a password-reset link (the same answer whether or not the address belongs to anyone)',
  request: { body: jsonBody(ForgotPasswordSchema) },
  responses: { 202: json(AcceptedSchema, 'If the address belongs to an account, a message is on its way'), ...problems(400, 413, 415, 422, 429) },
});

export const resetPassword = createRoute({
  method: 'post',
  path: '/password/reset',
  tags,
  summary: "Set a new password with a reset link's token; revokes every session",
  request: { body: jsonBody(ResetPasswordSchema) },
  responses: { 204: { description: 'The password was reset' }, ...problems(400, 413, 415, 422) },
});

export const verifyEmail = createRoute({
  method: 'post',
  path: '/email/verify',
  tags,
  summary: "Confirm an address (verification or email change) with a link's token",
  request: { body: jsonBody(VerifyEmailSchema) },
  responses: { 204: { description: 'Confirmed' }, ...problems(400, 409, 413, 415, 422) },
});
