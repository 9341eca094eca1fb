import { env } from 'cloudflare:workers';
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { getDb } from '../../src/db/client';
import { compiled } from '../../src/db/compiled';
import { users } from '../../src/db/schema';
import { runBatch } from '../../src/db/statement';

/**
 * src/db/compiled.ts hands Drizzle's D1 batch an object of its own that meets what the batch
 * asks of a query: `_prepare()` giving `{ getQuery(), stmt, mapResult() }`. That is internal to
 * drizzle-orm (pinned exactly in package.json). This is the contract test for it: an upgrade
 * that changes the batch internals fails here, with this file's name in the failure.
 */
describe('compiled statements against the installed drizzle-orm', () => {
  const db = getDb(env.DB);

  it('the builders still prepare to { getQuery, mapResult } and the batch still calls _prepare()', () => {
    const prepared = db
      .select()
      .from(users)
      .where(eq(users.uuid, sql.placeholder('id')))
      .prepare() as unknown as Record<string, unknown>;
    expect(typeof prepared.getQuery).toBe('function');
    expect(typeof prepared.mapResult).toBe('function');
    const session = (db as unknown as { session: { batch: (q: unknown[]) => unknown } }).session;
    expect(session.batch.toString()).toContain('_prepare()');
    expect(session.batch.toString()).toMatch(/\.stmt\b/);
    expect(session.batch.toString()).toContain('mapResult(');
  });

  it('binds only the named values and maps rows exactly as the builder would', async () => {
    const byUsername = compiled('read', ['key'], (d, p) =>
      d.select({ uuid: users.uuid, disabled: users.disabled }).from(users).where(eq(users.usernameKey, p.key)),
    );
    const now = Date.now();
    const uuid = crypto.randomUUID();
    await env.DB.prepare(
      "insert into users (uuid, username, username_key, email, email_key, name, surname, role, disabled, password_hash, created_at, updated_at) values (?, 'cmp', 'cmp', 'c@example.com', 'c@example.com', 'C', 'M', 'normal', 1, 'x', ?, ?)",
    )
      .bind(uuid, now, now)
      .run();
    const { compiledRows, builderRows } = await runBatch(db, {
      compiledRows: byUsername(db, { key: 'cmp' }),
      builderRows: byUsername(db, { key: 'nobody' }),
    });
    // Mapped through the compiled query: `disabled` comes back a boolean, as the builder's would.
    expect(compiledRows).toEqual([{ uuid, disabled: true }]);
    expect(builderRows).toEqual([]);
  });
});
