import { and, eq, isNull, sql } from 'drizzle-orm';
import { decodeJwt } from 'jose';
import type { Database } from '../db/client.js';
import { apiKeys, memberships } from '../db/schema.js';
import { unauthorized, VrmError } from '../errors.js';
import type { Principal } from '../http/context.js';
import { hashToken, looksLikeApiKey } from './api-keys.js';
import type { SupabaseIdentity } from './supabase.js';
import type { AccessTokens } from './tokens.js';

export interface AuthenticatorOptions {
  db: Database;
  tokens: AccessTokens;
  /** Set when Supabase Auth is configured as an identity provider. */
  supabase?: SupabaseIdentity | undefined;
}

/**
 * Turns a bearer credential into a Principal: a VRM access token, an API key, or (when
 * configured) a Supabase-issued JWT. The role always comes from the database at request time, so
 * a removed member or a revoked key loses access at once, not when a token expires.
 */
export class Authenticator {
  readonly #o: AuthenticatorOptions;

  constructor(options: AuthenticatorOptions) {
    this.#o = options;
  }

  async authenticate(token: string, organizationHint?: string): Promise<Principal> {
    if (looksLikeApiKey(token)) return this.#apiKey(token);
    if (this.#o.supabase && isSupabaseToken(token)) {
      return this.#o.supabase.authenticate(token, organizationHint);
    }
    const claims = await this.#o.tokens.verify(token);
    const role = await this.#o.db.withTenant(claims.org, async (tx) => {
      const [row] = await tx
        .select({ role: memberships.role })
        .from(memberships)
        .where(and(eq(memberships.organizationId, claims.org), eq(memberships.userId, claims.sub)));
      return row?.role;
    });
    if (!role) throw unauthorized('You are no longer a member of this organization');
    return { kind: 'user', organizationId: claims.org, role, userId: claims.sub, apiKeyId: null };
  }

  async #apiKey(token: string): Promise<Principal> {
    const hash = hashToken(token);
    const key = await this.#o.db.system(async (tx) => {
      const [key] = await tx
        .select()
        .from(apiKeys)
        .where(and(eq(apiKeys.keyHash, hash), isNull(apiKeys.revokedAt)));
      if (!key) return undefined;
      // Written at most once a minute per key, to keep API-key traffic off the write path.
      await tx
        .update(apiKeys)
        .set({ lastUsedAt: new Date() })
        .where(
          and(
            eq(apiKeys.id, key.id),
            sql`(${apiKeys.lastUsedAt} is null or ${apiKeys.lastUsedAt} < now() - interval '1 minute')`,
          ),
        );
      return key;
    });
    if (!key) throw new VrmError('unauthorized', 'Invalid or revoked API key', { status: 401 });
    if (key.expiresAt && key.expiresAt.getTime() <= Date.now()) {
      throw new VrmError('unauthorized', 'API key expired', { status: 401 });
    }
    return {
      kind: 'api_key',
      organizationId: key.organizationId,
      role: key.role,
      userId: null,
      apiKeyId: key.id,
    };
  }
}

function isSupabaseToken(token: string): boolean {
  try {
    const payload = decodeJwt(token);
    return payload.iss !== 'vrm';
  } catch {
    return false;
  }
}
