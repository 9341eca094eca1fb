import type { Deps } from '../../deps';
import type { OutgoingEmail } from './messages';

/**
 * Sends a message after the response (`deps.defer`, the request's waitUntil): sending is never on
 * the response's critical path, and a failed send is logged (its kind and the request id, never
 * the address or the link) without failing the request.
 */
export function sendLater(deps: Deps, kind: string, message: OutgoingEmail): void {
  deps.defer(
    deps.mailer.send(message).catch((err: unknown) => {
      const reason = err instanceof Error && /^[a-z0-9_]+$/.test(err.message) ? err.message : 'send_failed';
      console.error(JSON.stringify({ level: 'error', requestId: deps.requestId, error: 'email_send_failed', kind, reason }));
    }),
  );
}
