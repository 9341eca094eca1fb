import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env';
import { loadConfig } from '../config';
import { getDb } from '../db/client';

/** Per-request variables: a request id, the parsed configuration and the Drizzle client. */
export const context = () =>
  createMiddleware<AppEnv>(async (c, next) => {
    c.set('requestId', crypto.randomUUID());
    c.set('config', loadConfig(c.env));
    c.set('db', getDb(c.env.DB));
    await next();
  });
