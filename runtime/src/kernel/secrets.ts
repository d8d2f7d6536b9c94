import { and, eq } from 'drizzle-orm';
import type { Database, Tx } from '../db/client.js';
import { secrets } from '../db/schema.js';
import type { Config } from './config.js';
import type { SecretBox } from './secret-box.js';

/** Provider settings an organization may override; the environment gives the defaults. */
export const PROVIDER_SETTINGS = [
  'OPENAI_API_KEY',
  'OPENAI_BASE_URL',
  'DEEPGRAM_API_KEY',
  'DEEPGRAM_BASE_URL',
  'CARTESIA_API_KEY',
  'CARTESIA_BASE_URL',
] as const;
export type ProviderSetting = (typeof PROVIDER_SETTINGS)[number];

/** Secrets are bound to their organization and name, so a copied ciphertext will not open elsewhere. */
export const secretContext = (organizationId: string, name: string) => `secret:${organizationId}:${name}`;

export async function putSecret(tx: Tx, box: SecretBox, organizationId: string, name: string, value: string) {
  const ciphertext = box.encrypt(value, secretContext(organizationId, name));
  await tx
    .insert(secrets)
    .values({ organizationId, name, ciphertext })
    .onConflictDoUpdate({
      target: [secrets.organizationId, secrets.name],
      set: { ciphertext, updatedAt: new Date() },
    });
}

export async function readSecret(
  tx: Tx,
  box: SecretBox,
  organizationId: string,
  name: string,
): Promise<string | undefined> {
  const [row] = await tx
    .select({ ciphertext: secrets.ciphertext })
    .from(secrets)
    .where(and(eq(secrets.organizationId, organizationId), eq(secrets.name, name)));
  return row ? box.decrypt(row.ciphertext, secretContext(organizationId, name)) : undefined;
}

/** The organization's provider settings: its stored secrets over the process environment. */
export async function providerSettings(
  db: Database,
  box: SecretBox,
  config: Config,
  organizationId: string,
): Promise<Partial<Record<ProviderSetting, string>>> {
  const stored = await db.withTenant(organizationId, (tx) =>
    tx.select({ name: secrets.name, ciphertext: secrets.ciphertext }).from(secrets),
  );
  const settings: Partial<Record<ProviderSetting, string>> = {};
  for (const name of PROVIDER_SETTINGS) {
    const value = config[name];
    if (value) settings[name] = value;
  }
  for (const row of stored) {
    if ((PROVIDER_SETTINGS as readonly string[]).includes(row.name)) {
      settings[row.name as ProviderSetting] = box.decrypt(
        row.ciphertext,
        secretContext(organizationId, row.name),
      );
    }
  }
  return settings;
}
