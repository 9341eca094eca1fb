import type { DrizzleD1Database } from 'drizzle-orm/d1';
import type * as schema from './db/schema';
import type { Config } from './config';
import type { Role, User } from './db/schema';

/** Bindings and vars from wrangler.toml plus secrets from `wrangler secret put` / `.dev.vars`. */
export interface Bindings {
  DB: D1Database;
  REVOCATIONS: KVNamespace;
  PHOTOS: R2Bucket;
  LOGIN_IP_LIMITER?: RateLimit;
  SIGNUP_IP_LIMITER?: RateLimit;
  [key: string]: unknown;
}

/** The authenticated caller, read fresh from D1 on every request (not from the token). */
export interface AuthContext {
  user: User;
  sessionId: string;
}

/** What a verified access token says about the caller; trusted only after `authorize`. */
export interface Claims {
  sub: string;
  sid: string;
}

export interface Variables {
  config: Config;
  db: DrizzleD1Database<typeof schema>;
  requestId: string;
  /** Set by requireAuth from a verified token. */
  claims: Claims;
  /** The role requireAuth was asked for; `authorize` enforces it after loading the caller. */
  requiredRole?: Role;
  /** Set by `authorize` once the caller is loaded from D1. */
  auth: AuthContext;
}

export interface AppEnv {
  Bindings: Bindings;
  Variables: Variables;
}
