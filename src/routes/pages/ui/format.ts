import type { AuditEventRow } from '../../../db/schema';

/** `2026-12-01 18:07 UTC`: one unambiguous form for every time on the pages. */
export const when = (ms: number | null | undefined) => (ms ? `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC` : 'never');
export const isoOf = (ms: number) => new Date(ms).toISOString();

/** A throttled form's message and its Retry-After (whole seconds, at least one). */
export function tooManyAttempts(retryAfterMs: number): { retryAfter: string; message: string } {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return { retryAfter: String(seconds), message: `Too many attempts. Try again in ${seconds} second${seconds === 1 ? '' : 's'}.` };
}

/** A user agent as people can read it in a list: at most 120 characters. */
export const agent = (ua: string | null) => (ua ? (ua.length > 120 ? `${ua.slice(0, 117)}...` : ua) : 'Unknown device');

export const place = (ip: string | null, country: string | null) => [ip ?? 'unknown address', country].filter(Boolean).join(' · ');

const EVENTS: Record<string, string> = {
  'user.signed_up': 'Account created',
  'login.succeeded': 'Logged in',
  'login.failed': 'Failed login',
  'session.reuse_detected': 'A reused refresh token ended a session',
  'session.revoked': 'Session ended',
  'password.changed': 'Password changed',
  'user.role_changed': 'Role changed',
  'user.disabled': 'Account disabled',
  'user.enabled': 'Account enabled',
  'user.deleted': 'Account deleted',
  'photo.reviewed': 'Photo reviewed',
  'mfa.enabled': 'Two-step verification turned on',
  'mfa.disabled': 'Two-step verification turned off',
  'mfa.recovery_code_used': 'Logged in with a recovery code',
  'mfa.recovery_codes_regenerated': 'New recovery codes made',
  'mfa.reset': 'Two-step verification removed by an administrator',
  'password.reset_requested': 'Password reset link sent',
  'password.reset': 'Password reset',
  'email.verified': 'Email address confirmed',
  'email.changed': 'Email address changed',
};

const REASONS: Record<string, string> = {
  wrong_password: 'wrong password',
  throttled: 'too many attempts',
  disabled: 'account disabled',
  changed_meanwhile: 'account changed during the login',
  second_factor: 'wrong two-step verification code',
  email_unverified: 'email address not confirmed yet',
};

/** What a security event says to the person it is about ("was that me?"). */
export function describeEvent(e: AuditEventRow): string {
  const label = EVENTS[e.event] ?? e.event;
  let detail: Record<string, unknown> = {};
  try {
    detail = e.detail ? (JSON.parse(e.detail) as Record<string, unknown>) : {};
  } catch {
    detail = {};
  }
  if (e.event === 'login.failed' && typeof detail.reason === 'string') return `${label}: ${REASONS[detail.reason] ?? detail.reason}`;
  if (e.event === 'user.role_changed' && typeof detail.to === 'string') return `${label} to ${detail.to}`;
  return label;
}
