import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './dev-server';

/**
 * Where `wrangler dev` writes the messages the EMAIL binding "sends": it sends nothing and writes
 * each message under `.wrangler/tmp/email/<session>/` in the project root (one session directory
 * per running server, named after its miniflare instance, removed when the server stops), the
 * plain text as `email-text/<id>.txt` (README, "Where local messages land").
 */
export const LOCAL_EMAIL_DIR = join(ROOT, '.wrangler/tmp/email');

/** The plain-text messages of every running server that mention `needle` (several servers may run at once). */
export function localMessagesMentioning(needle: string): string[] {
  if (!existsSync(LOCAL_EMAIL_DIR)) return [];
  return readdirSync(LOCAL_EMAIL_DIR).flatMap((session) => {
    const dir = join(LOCAL_EMAIL_DIR, session, 'email-text');
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .map((file) => readFileSync(join(dir, file), 'utf8'))
      .filter((text) => text.includes(needle));
  });
}
