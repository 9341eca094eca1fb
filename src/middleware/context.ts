import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { loadConfig } from '../config';
import { getDb } from '../db/client';
import type { AppEnv } from '../env';
import { clientInfo } from '../lib/client';
import { now } from '../lib/clock';
import { burnPasswordWork, hashPassword, verifyPassword } from '../lib/password';
import type { Deps } from '../deps';
import { mailerFor } from '../services/email/transport';

/** Every request gets an id first, so any error can be logged with it. */
export const requestId = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    c.set('requestId', crypto.randomUUID());
    await next();
  });

/**
 * The request's ExecutionContext, for `Deps.defer` (its `waitUntil`). Workers always give one;
 * `app.request()` in Node gives none, and then deferred work runs without anything waiting for it.
 */
const executionCtxOf = (c: Context<AppEnv>) => {
  try {
    return c.executionCtx;
  } catch {
    return undefined;
  }
};

/** The services' dependencies for this request: the one place where Hono's context meets them. */
export function depsFor(c: Context<AppEnv>): Deps {
  const config = loadConfig(c.env);
  const params = { iterations: config.PASSWORD_ITERATIONS, pepper: config.PASSWORD_PEPPER, previousPepper: config.PASSWORD_PEPPER_PREVIOUS };
  return {
    db: getDb(c.env.DB),
    kv: c.env.REVOCATIONS,
    photos: c.env.PHOTOS,
    config,
    now,
    requestId: c.get('requestId'),
    client: clientInfo(c.req.raw),
    limiters: {
      login: c.env.LOGIN_IP_LIMITER,
      signup: c.env.SIGNUP_IP_LIMITER,
      photoUser: c.env.PHOTO_USER_LIMITER,
      photoIp: c.env.PHOTO_IP_LIMITER,
      health: c.env.HEALTH_IP_LIMITER,
      email: c.env.EMAIL_IP_LIMITER,
      client: c.env.CLIENT_LIMITER,
    },
    passwords: {
      hash: (password) => hashPassword(password, params),
      verify: (password, stored) => verifyPassword(password, stored, params),
      burn: (password) => burnPasswordWork(password, params),
    },
    // Only where the deployment binds it (wrangler.toml has it commented out; typed in env.ts).
    auditQueue: c.env.AUDIT_QUEUE,
    defer: (work) => executionCtxOf(c)?.waitUntil(work),
    mailer: mailerFor(config, c.env.EMAIL),
  };
}

/**
 * Builds `c.var.deps` once per request. Each front door (the API, /token, the pages) runs it in
 * its own middleware, so a broken configuration (ConfigError, 503 naming the variable) is
 * rendered in that door's own error format.
 */
export const withDeps = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    if (!c.var.deps) c.set('deps', depsFor(c));
    await next();
  });
