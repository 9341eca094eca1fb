import { z } from '@hono/zod-openapi';
import type { SessionRow } from '../db/schema';
import { iso } from '../lib/clock';
import { page } from '../lib/pagination';

export const SessionSchema = z
  .object({
    id: z.uuid(),
    created_at: z.iso.datetime(),
    last_used_at: z.iso.datetime(),
    expires_at: z.iso.datetime(),
    user_agent: z.string().nullable(),
    ip: z.string().nullable(),
    country: z.string().nullable(),
    current: z.boolean().openapi({ description: 'This is the session of the token making the request' }),
  })
  .strict()
  .openapi('Session');

export const SessionPageSchema = page(SessionSchema, 'SessionPage');

export const toSessionDto = (s: SessionRow, currentSessionId?: string): z.infer<typeof SessionSchema> => ({
  id: s.id,
  created_at: iso(s.createdAt),
  last_used_at: iso(s.lastUsedAt),
  expires_at: iso(s.expiresAt),
  user_agent: s.userAgent,
  ip: s.ip,
  country: s.country,
  current: s.id === currentSessionId,
});
