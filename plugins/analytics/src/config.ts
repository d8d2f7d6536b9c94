import { fileURLToPath } from 'node:url';
import { z } from 'zod/v4';

/** The repo's migrations folder (VRM's schema), used for the embedded database. */
export const DEFAULT_MIGRATIONS_DIR = fileURLToPath(new URL('../../../migrations', import.meta.url));

/** The analytics plugin's environment, validated once at start. */
export const AnalyticsConfig = z
  .object({
    ANALYTICS_DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
      .optional(),
    ANALYTICS_ORGANIZATION_ID: z.uuid().optional(),
    ANALYTICS_DATA_DIR: z.string().min(1).default('./.vrm-analytics'),
    ANALYTICS_MIGRATIONS_DIR: z.string().min(1).default(DEFAULT_MIGRATIONS_DIR),
  })
  .refine((c) => !c.ANALYTICS_DATABASE_URL || c.ANALYTICS_ORGANIZATION_ID, {
    message:
      'ANALYTICS_ORGANIZATION_ID is required with ANALYTICS_DATABASE_URL: the tools only ever see one organization',
    path: ['ANALYTICS_ORGANIZATION_ID'],
  });
export type AnalyticsConfig = z.infer<typeof AnalyticsConfig>;

export function loadAnalyticsConfig(env: NodeJS.ProcessEnv): AnalyticsConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = AnalyticsConfig.safeParse(present);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid configuration: ${problems}`);
  }
  return result.data;
}
