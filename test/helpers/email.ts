import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import worker from '../../src/index';
import { emailKey } from '../../src/lib/text';
import { EMAIL_TOKEN_TTL_MS, type EmailPurpose, newEmailToken } from '../../src/services/email/statements';
import { buildRequest, type CallOptions } from './api';

/** What the worker handed to the EMAIL binding's builder API (`env.EMAIL.send({...})`). */
export interface SentBuilder {
  from: { name: string; email: string };
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** A stand-in for the `send_email` binding that keeps every builder call. */
export function mailbox() {
  const sent: SentBuilder[] = [];
  const binding = {
    send: async (message: SentBuilder) => {
      sent.push(message);
      return { messageId: `<${crypto.randomUUID()}@test>` };
    },
  };
  return { sent, binding, to: (address: string) => sent.filter((m) => m.to === address) };
}
export type Mailbox = ReturnType<typeof mailbox>;

/**
 * Sends a request through the Worker with `box` as its EMAIL binding (and extra vars), and waits
 * for the work done after the response (where the messages are sent).
 */
export async function callMail(box: Mailbox, method: string, path: string, opts: CallOptions = {}, vars: Record<string, string> = {}): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(buildRequest(method, path, opts), { ...env, EMAIL: box.binding, ...vars } as never, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

/** The token of the first link in a message's plain text. */
export const tokenIn = (text: string) => {
  const match = /[?&]token=([A-Za-z0-9_-]+)/.exec(text);
  if (!match) throw new Error('no link with a token in the message');
  return match[1]!;
};

/** A usable token of `purpose` for the user, straight into D1 (setup for tests that need one). */
export async function plantToken(user: { uuid: string; email: string }, purpose: EmailPurpose, email = user.email): Promise<string> {
  const { token, hash } = await newEmailToken();
  const now = Date.now();
  await env.DB.prepare('insert into email_tokens (hash, user_uuid, purpose, email, email_key, created_at, expires_at) values (?, ?, ?, ?, ?, ?, ?)')
    .bind(hash, user.uuid, purpose, email, emailKey(email), now, now + EMAIL_TOKEN_TTL_MS[purpose])
    .run();
  return token;
}
