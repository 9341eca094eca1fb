import { loadConfig } from './config';
import { getDb } from './db/client';
import type { Bindings } from './env';
import { now } from './lib/clock';
import { cleanUp } from './services/cleanup';

/**
 * The cron trigger (`[triggers]` in wrangler.toml, hourly): housekeeping that no request
 * waits for. Logs counts only. A failure throws, so the run shows as failed in the dashboard
 * and the next run starts over; every statement is idempotent.
 */
export async function scheduled(_controller: ScheduledController, env: Bindings): Promise<void> {
  const result = await cleanUp(getDb(env.DB), loadConfig(env), now());
  console.log(JSON.stringify({ level: 'info', event: 'cleanup', ...result }));
}
