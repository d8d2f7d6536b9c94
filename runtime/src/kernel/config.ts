import path from 'node:path';
import { z } from 'zod';

const flag = z
  .enum(['0', '1', 'true', 'false', ''])
  .optional()
  .transform((v) => v === '1' || v === 'true');

/** Every environment variable VRM reads, validated once at start. docs/operations.md lists them. */
export const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  HOST: z.string().default('127.0.0.1'),
  VRM_DATA_DIR: z.string().default('./.vrm'),
  DATABASE_URL: z.string().url().optional(),
  VRM_SECRET_KEY: z.string().optional(),
  VRM_PUBLIC_URL: z.string().url().optional(),
  VRM_ALLOW_STDIO_SERVERS: flag,
  VRM_ALLOW_PRIVATE_URLS: flag,
  VRM_CORS_ORIGINS: z.string().optional(),
  /** Behind a reverse proxy: take the client address from X-Forwarded-For. */
  VRM_TRUST_PROXY: flag,
  /** When set, GET /metrics requires this bearer token. */
  VRM_METRICS_TOKEN: z.string().optional(),
  VRM_BODY_LIMIT_BYTES: z.coerce.number().int().positive().default(1_048_576),
  VRM_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  VRM_ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().positive().default(900),
  VRM_REFRESH_TOKEN_TTL_SECONDS: z.coerce
    .number()
    .int()
    .positive()
    .default(30 * 24 * 3600),
  /** scrypt cost exponent (N = 2^cost). 15 (32 MiB per hash) in production; tests lower it. */
  VRM_PASSWORD_COST: z.coerce.number().int().min(10).max(20).default(15),
  VRM_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(600),
  VRM_AUTH_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(20),
  SUPABASE_URL: z.string().url().optional(),
  SUPABASE_ANON_KEY: z.string().optional(),
  SUPABASE_JWT_SECRET: z.string().optional(),
  OPENAI_API_KEY: z.string().optional(),
  OPENAI_BASE_URL: z.string().url().optional(),
  DEEPGRAM_API_KEY: z.string().optional(),
  DEEPGRAM_BASE_URL: z.string().url().optional(),
  CARTESIA_API_KEY: z.string().optional(),
  CARTESIA_BASE_URL: z.string().url().optional(),
  TWILIO_ACCOUNT_SID: z.string().optional(),
  TWILIO_AUTH_TOKEN: z.string().optional(),
  TWILIO_BASE_URL: z.string().url().optional(),
});

export type Env = z.infer<typeof EnvSchema>;

export interface Config extends Env {
  dataDir: string;
}

/** Parses the environment; a bad value stops the start with a message naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  return { ...parsed.data, dataDir: path.resolve(parsed.data.VRM_DATA_DIR) };
}
