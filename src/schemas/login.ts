import { z } from '@hono/zod-openapi';
import type { LoginRow } from '../db/schema';
import { iso } from '../lib/clock';
import { page } from '../lib/pagination';

export const LoginRecordSchema = z
  .object({
    uuid: z.uuid(),
    user_uuid: z.uuid(),
    login_time: z.iso.datetime(),
    ip: z.string().nullable(),
    user_agent: z.string().nullable(),
    country: z.string().nullable(),
  })
  .strict()
  .openapi('LoginRecord');

export const LoginPageSchema = page(LoginRecordSchema, 'LoginRecordPage');

export const toLoginDto = (l: LoginRow): z.infer<typeof LoginRecordSchema> => ({
  uuid: l.uuid,
  user_uuid: l.userUuid,
  login_time: iso(l.loginTime),
  ip: l.ip,
  user_agent: l.userAgent,
  country: l.country,
});
