import { env } from 'cloudflare:workers';

/** Writes a login-throttle counter straight into D1, to start a test from a given state. */
export const insertThrottleRow = (key: string, row: { failures: number; blockedUntil: number; updatedAt: number }) =>
  env.DB.prepare('insert into login_throttle (key, failures, blocked_until, updated_at) values (?, ?, ?, ?)')
    .bind(key, row.failures, row.blockedUntil, row.updatedAt)
    .run();
