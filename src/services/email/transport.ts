import type { Config } from '../../config';
import type { OutgoingEmail } from './messages';

/** Sends one message or throws; the services only ever call it in deferred work (`sendLater`). */
export interface Mailer {
  send(message: OutgoingEmail): Promise<void>;
}

/** Resend's send endpoint (https://resend.com/docs/api-reference/emails/send-email). */
export const RESEND_URL = 'https://api.resend.com/emails';
const RESEND_TIMEOUT_MS = 10_000;

/** A display name that cannot break out of its quotes in a `From:` header. */
const displayName = (name: string) => name.replace(/["\\\r\n]/g, '');

/**
 * The Cloudflare Email Service `send_email` binding with the builder API: no MIME of our own.
 * Under `wrangler dev` the binding sends nothing; it writes the message under
 * `.wrangler/tmp/email/<session>/` and logs the paths.
 */
export function bindingMailer(config: Config, binding: SendEmail | undefined): Mailer {
  return {
    async send(m) {
      if (!binding) throw new Error('email_binding_missing');
      await binding.send({
        from: { name: displayName(config.SERVICE_NAME), email: config.EMAIL_FROM },
        to: m.to,
        subject: m.subject,
        text: m.text,
        html: m.html,
      });
    },
  };
}

/** Resend's HTTP API (EMAIL_TRANSPORT=resend), for accounts without Email Service. */
export function resendMailer(config: Config, key: string): Mailer {
  return {
    async send(m) {
      const res = await fetch(RESEND_URL, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          from: `"${displayName(config.SERVICE_NAME)}" <${config.EMAIL_FROM}>`,
          to: [m.to],
          subject: m.subject,
          text: m.text,
          html: m.html,
        }),
        signal: AbortSignal.timeout(RESEND_TIMEOUT_MS),
      });
      await res.body?.cancel();
      if (!res.ok) throw new Error(`email_provider_${res.status}`);
    },
  };
}

/** The transport EMAIL_TRANSPORT names (config.ts checks RESEND_API_KEY is there for `resend`). */
export function mailerFor(config: Config, binding: SendEmail | undefined): Mailer {
  return config.EMAIL_TRANSPORT === 'resend' && config.RESEND_API_KEY ? resendMailer(config, config.RESEND_API_KEY) : bindingMailer(config, binding);
}
