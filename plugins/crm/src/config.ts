import { z } from 'zod/v4';
import { isRegionCode } from './phone.js';

/** The CRM's environment, validated once at start. */
export const CrmConfig = z.object({
  CRM_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  CRM_DATA_DIR: z.string().min(1).default('./.vrm-crm'),
  CRM_DEFAULT_REGION: z
    .string()
    .transform((v) => v.toUpperCase())
    .refine(isRegionCode, 'must be a two-letter region code such as US, GB or DE')
    .default('US'),
  CRM_SEED_DEMO: z
    .enum(['0', '1', 'true', 'false', ''])
    .transform((v) => v === '1' || v === 'true')
    .default(false),
});
export type CrmConfig = z.infer<typeof CrmConfig>;

/** Parses the environment; an invalid value throws an Error naming the variable. */
export function loadCrmConfig(env: NodeJS.ProcessEnv): CrmConfig {
  // An empty variable (`CRM_DATABASE_URL=`) means "not set", as in most shells' .env handling.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = CrmConfig.safeParse(present);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid configuration: ${problems}`);
  }
  return result.data;
}
