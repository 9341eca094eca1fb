import { z } from 'zod';

/** PBKDF2 above this is rejected by production Workers (local workerd accepts it silently). */
export const MAX_PBKDF2_ITERATIONS = 100_000;

/**
 * A numeric var: unset takes the default, but a value must be written out. An empty or blank
 * string is refused, not read as 0 (`z.coerce` would make an empty RECOGNIZER_MIN_CONFIDENCE
 * pass every match).
 */
const numeric = (pattern: RegExp) => z.string().trim().regex(pattern).transform(Number).or(z.number());
const int = (min: number, max: number, fallback: number) =>
  numeric(/^-?\d+$/)
    .pipe(z.number().int().min(min).max(max))
    .default(fallback);
const decimal = (min: number, max: number, fallback: number) =>
  numeric(/^-?(\d+\.?\d*|\.\d+)$/)
    .pipe(z.number().min(min).max(max))
    .default(fallback);
const optionalSecret = z
  .string()
  .optional()
  .transform((v) => (v && v.length > 0 ? v : undefined));

const ConfigSchema = z.object({
  JWT_PRIVATE_KEY: optionalSecret,
  JWT_PREVIOUS_PUBLIC_KEY: optionalSecret,
  JWT_ISSUER: z.string().min(1).default('https://userauth.example'),
  JWT_AUDIENCE: z.string().min(1).default('userauth'),
  FIRST_PARTY_CLIENT_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/)
    .default('userauth'),
  ACCESS_TOKEN_TTL_SECONDS: int(60, 86_400, 900),
  REFRESH_TOKEN_TTL_SECONDS: int(60, 31_536_000, 2_592_000),
  REFRESH_TOKEN_ABSOLUTE_TTL_SECONDS: int(60, 31_536_000, 7_776_000),
  REFRESH_REUSE_GRACE_SECONDS: int(0, 60, 0),
  PASSWORD_ITERATIONS: int(10_000, MAX_PBKDF2_ITERATIONS, 100_000),
  PASSWORD_MIN_LENGTH: int(8, 128, 15),
  PASSWORD_BREACH_CHECK: z.enum(['off', 'hibp']).default('off'),
  PASSWORD_BREACH_TIMEOUT_MS: int(100, 10_000, 2_000),
  PASSWORD_PEPPER: optionalSecret,
  PASSWORD_PEPPER_PREVIOUS: optionalSecret,
  RETIRED_USERNAME_SECRET: optionalSecret,
  RECOGNIZER: z.enum(['manual', 'rekognition', 'http']).default('manual'),
  RECOGNIZER_URL: optionalSecret,
  RECOGNIZER_SECRET: optionalSecret,
  RECOGNIZER_MIN_CONFIDENCE: decimal(0, 1, 0.95),
  RECOGNIZER_TIMEOUT_MS: int(100, 60_000, 10_000),
  AWS_ACCESS_KEY_ID: optionalSecret,
  AWS_SECRET_ACCESS_KEY: optionalSecret,
  AWS_REGION: z.string().default('us-east-1'),
  PHOTO_MAX_BYTES: int(1024, 50 * 1024 * 1024, 5 * 1024 * 1024),
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    ),
  IP_RATE_LIMIT: z.enum(['on', 'off']).default('on'),
  MAX_SESSIONS_PER_USER: int(1, 100, 20),
  AUDIT_RETENTION_DAYS: int(1, 3650, 400),
  RETIRED_USERNAME_DAYS: int(0, 3650, 30),
  /** The name people see on the pages (titles, headings). */
  SERVICE_NAME: z.string().trim().min(1).max(60).default('UserAuth'),
  /** A browser session without "remember me": how long it lives unused. */
  PAGE_SESSION_IDLE_SECONDS: int(300, 86_400, 3_600),
  TURNSTILE_SITE_KEY: optionalSecret,
  TURNSTILE_SECRET_KEY: optionalSecret,
  /** `<key id>:<32 bytes base64url>[,<older id>:<older key>…]`: seals TOTP seeds (src/lib/secret-box.ts). */
  MFA_ENCRYPTION_KEY: optionalSecret,
  /** Where people reach the service: every link in a message is built from it, never from a request's Host. */
  PUBLIC_URL: z
    .url({ protocol: /^https?$/ })
    .refine((v) => {
      const u = new URL(v);
      return u.search === '' && u.hash === '' && u.username === '' && u.password === '';
    })
    .transform((v) => v.replace(/\/+$/, ''))
    .default('http://localhost:8787'),
  /** The sender of every message (a plain address; SERVICE_NAME is its display name). */
  EMAIL_FROM: z
    .string()
    .trim()
    .regex(/^[^\s@<>"]{1,64}@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$/)
    .default('noreply@userauth.example'),
  /** `binding`: the send_email binding EMAIL (Cloudflare Email Service); `resend`: Resend's HTTP API with RESEND_API_KEY. */
  EMAIL_TRANSPORT: z.enum(['binding', 'resend']).default('binding'),
  RESEND_API_KEY: optionalSecret,
  /** `on`: a right password for an unverified address opens no session. */
  REQUIRE_VERIFIED_EMAIL: z.enum(['on', 'off']).default('off'),
  REQUIRE_API_KEY: z.enum(['on', 'off']).default('off'),
});

export type Config = z.infer<typeof ConfigSchema>;

/** The variables the configuration reads: the README's table is checked against this list. */
export const CONFIG_VARIABLES = Object.keys(ConfigSchema.shape) as (keyof Config)[];

/** Rules between fields, each a sentence naming the variables (never their values). */
const CROSS_FIELD: [(c: Config) => boolean, string][] = [
  [(c) => c.REFRESH_TOKEN_ABSOLUTE_TTL_SECONDS >= c.REFRESH_TOKEN_TTL_SECONDS, 'REFRESH_TOKEN_ABSOLUTE_TTL_SECONDS below REFRESH_TOKEN_TTL_SECONDS'],
  [
    (c) => c.ACCESS_TOKEN_TTL_SECONDS <= c.REFRESH_TOKEN_TTL_SECONDS,
    'ACCESS_TOKEN_TTL_SECONDS above REFRESH_TOKEN_TTL_SECONDS (an access token would outlive its session)',
  ],
  [(c) => !c.TURNSTILE_SITE_KEY === !c.TURNSTILE_SECRET_KEY, 'TURNSTILE_SITE_KEY and TURNSTILE_SECRET_KEY must be set together'],
  [(c) => c.EMAIL_TRANSPORT !== 'resend' || c.RESEND_API_KEY !== undefined, 'EMAIL_TRANSPORT=resend needs RESEND_API_KEY'],
];

/** Thrown when the deployment is misconfigured; the message names the variable, never a value. */
export class ConfigError extends Error {}

const cache = new WeakMap<object, Config>();

/**
 * Parses vars and secrets once per isolate (per env object) and fails closed: a bad value
 * is a ConfigError naming the variable, so the worker never runs on a silent default.
 *
 * @example const config = loadConfig(c.env);
 */
export function loadConfig(env: object): Config {
  const hit = cache.get(env);
  if (hit) return hit;
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const names = [...new Set(parsed.error.issues.map((i) => String(i.path[0])))].join(', ');
    throw new ConfigError(`invalid configuration: ${names}`);
  }
  const config = parsed.data;
  for (const [holds, broken] of CROSS_FIELD) if (!holds(config)) throw new ConfigError(`invalid configuration: ${broken}`);
  cache.set(env, config);
  return config;
}
