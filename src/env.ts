import type { Access } from './policy/caller';
import type { Deps } from './deps';

/**
 * Secrets set with `wrangler secret put` (locally in `.dev.vars`): never in wrangler.toml, so
 * `wrangler types` cannot see them. Every other binding and var comes from the generated
 * `Env` (src/worker-configuration.d.ts, `npm run types`; `npm test` checks it is current).
 */
export interface Secrets {
  JWT_PRIVATE_KEY?: string;
  JWT_PREVIOUS_PUBLIC_KEY?: string;
  PASSWORD_PEPPER?: string;
  PASSWORD_PEPPER_PREVIOUS?: string;
  RETIRED_USERNAME_SECRET?: string;
  RECOGNIZER_SECRET?: string;
  AWS_ACCESS_KEY_ID?: string;
  AWS_SECRET_ACCESS_KEY?: string;
  TURNSTILE_SECRET_KEY?: string;
  MFA_ENCRYPTION_KEY?: string;
  RESEND_API_KEY?: string;
}

/** Vars that are not in wrangler.toml's [vars] because they are optional. */
export interface OptionalVars {
  RECOGNIZER_URL?: string;
  AWS_REGION?: string;
  FIRST_PARTY_CLIENT_ID?: string;
  PASSWORD_BREACH_CHECK?: string;
  PASSWORD_BREACH_TIMEOUT_MS?: string;
  SERVICE_NAME?: string;
  PAGE_SESSION_IDLE_SECONDS?: string;
  TURNSTILE_SITE_KEY?: string;
}

/**
 * Bindings wrangler.toml documents commented out, so `wrangler types` does not see them; present
 * only where the deployment enables them.
 */
export interface OptionalBindings {
  /** Cloudflare Queues producer: every audit event is also sent there for a SIEM. */
  AUDIT_QUEUE?: Queue;
}

export type Bindings = Env & Secrets & OptionalVars & OptionalBindings;

export interface Variables {
  requestId: string;
  /** The use-case services' dependencies, built by `withDeps` in each front door. */
  deps: Deps;
  /** Set by requireAuth from a verified token, with the route's rule. */
  access: Access;
}

export interface AppEnv {
  Bindings: Bindings;
  Variables: Variables;
}
