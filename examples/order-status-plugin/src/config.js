/**
 * Configuration from the environment, validated once at start. server.json lists the same
 * variables for registries and hosts.
 */
import { z } from 'zod';

/**
 * An unset variable and an empty one mean the same.
 * @template {z.ZodType} T
 * @param {T} schema
 */
const optional = (schema) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema.optional());

/** @param {string} zone */
function isTimeZone(zone) {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const EnvSchema = z.object({
  ORDER_STATUS_DATA_FILE: optional(z.string()),
  ORDER_STATUS_AUTH_TOKEN: optional(
    z.string().min(16, 'use a random secret of at least 16 characters, e.g. `openssl rand -hex 32`'),
  ),
  ORDER_STATUS_RETURN_WINDOW_DAYS: optional(z.coerce.number().int().min(0).max(365)),
  ORDER_STATUS_DEFAULT_COUNTRY_CODE: optional(
    z.string().regex(/^[1-9]\d{0,2}$/, 'digits only, e.g. 1 or 44'),
  ),
  ORDER_STATUS_TIME_ZONE: optional(
    z.string().refine(isTimeZone, 'not an IANA time zone such as America/Chicago'),
  ),
  PORT: optional(z.coerce.number().int().min(0).max(65_535)),
  HOST: optional(z.string()),
});

/**
 * @typedef {object} Config
 * @property {string | undefined} dataFile JSON file with the orders; undefined keeps demo orders in memory
 * @property {string | undefined} authToken bearer token required on HTTP
 * @property {number} returnWindowDays
 * @property {string} defaultCountryCode
 * @property {string} timeZone
 * @property {number} port
 * @property {string} host
 */

/**
 * Parses the environment; throws an Error naming the variable when a value is wrong.
 * @param {NodeJS.ProcessEnv} env
 * @returns {Config}
 */
export function loadConfig(env) {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  return {
    dataFile: e.ORDER_STATUS_DATA_FILE,
    authToken: e.ORDER_STATUS_AUTH_TOKEN,
    returnWindowDays: e.ORDER_STATUS_RETURN_WINDOW_DAYS ?? 30,
    defaultCountryCode: e.ORDER_STATUS_DEFAULT_COUNTRY_CODE ?? '1',
    timeZone: e.ORDER_STATUS_TIME_ZONE ?? 'UTC',
    port: e.PORT ?? 3000,
    host: e.HOST ?? '127.0.0.1',
  };
}
