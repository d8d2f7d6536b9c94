import { z } from 'zod/v4';

/** The payments plugin's environment, validated once at start. */
export const PaymentsConfig = z.object({
  PAYMENTS_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  PAYMENTS_DATA_DIR: z.string().min(1).default('./.vrm-payments'),
  STRIPE_SECRET_KEY: z
    .string()
    .regex(/^(sk|rk)_(test|live)_/, 'must be a Stripe secret or restricted key (sk_… or rk_…)')
    .optional(),
  STRIPE_API_BASE: z.url({ protocol: /^https?$/ }).optional(),
  PAYMENTS_LINK_BASE_URL: z.string().min(1).default('ledger://payment-links/'),
  PAYMENTS_SEED_DEMO: z
    .enum(['0', '1', 'true', 'false'])
    .transform((v) => v === '1' || v === 'true')
    .default(false),
});
export type PaymentsConfig = z.infer<typeof PaymentsConfig>;

/** Parses the environment; an invalid value throws an Error naming the variable (never its value). */
export function loadPaymentsConfig(env: NodeJS.ProcessEnv): PaymentsConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = PaymentsConfig.safeParse(present);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid configuration: ${problems}`);
  }
  return result.data;
}
