import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { and, asc, eq, sql } from 'drizzle-orm';
import { jwtVerify } from 'jose';
import WebSocket from 'ws';
import type { Database } from '../db/client.js';
import { memberships, users } from '../db/schema.js';
import { VrmError } from '../errors.js';
import type { Principal } from '../http/context.js';
import { createOrganization } from './auth-service.js';

export interface SupabaseOptions {
  db: Database;
  url?: string | undefined;
  anonKey?: string | undefined;
  /** The project's JWT secret: tokens are verified locally (HS256), no call to Supabase. */
  jwtSecret?: string | undefined;
}

interface SupabaseUser {
  id: string;
  email: string;
}

const invalid = (cause?: unknown) =>
  new VrmError('unauthorized', 'Invalid Supabase access token', { status: 401, cause });

/**
 * Supabase Auth as an identity provider. A Supabase session token is verified (locally with the
 * project's JWT secret, else by asking Supabase through supabase-js), then mapped to a VRM user
 * (by Supabase id, else by email) and to one of their organizations. A first-time user gets a
 * personal organization, as signup would give them.
 */
export class SupabaseIdentity {
  readonly #o: SupabaseOptions;
  readonly #client: SupabaseClient | undefined;

  constructor(options: SupabaseOptions) {
    this.#o = options;
    if (!options.jwtSecret && !(options.url && options.anonKey)) {
      throw new Error('Supabase Auth needs SUPABASE_JWT_SECRET, or SUPABASE_URL with SUPABASE_ANON_KEY');
    }
    this.#client =
      options.url && options.anonKey
        ? createClient(options.url, options.anonKey, {
            auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
            // Node 20 has no global WebSocket; supabase-js builds its realtime client eagerly.
            realtime: { transport: WebSocket as never },
          })
        : undefined;
  }

  async authenticate(token: string, organizationHint?: string): Promise<Principal> {
    const identity = await this.#verify(token);
    const userId = await this.#userFor(identity);
    const membership = await this.#o.db.system(async (tx) => {
      const [row] = await tx
        .select({ organizationId: memberships.organizationId, role: memberships.role })
        .from(memberships)
        .where(
          organizationHint
            ? and(eq(memberships.userId, userId), eq(memberships.organizationId, organizationHint))
            : eq(memberships.userId, userId),
        )
        .orderBy(asc(memberships.createdAt))
        .limit(1);
      if (row) return row;
      if (organizationHint) return undefined;
      const organization = await createOrganization(
        tx,
        `${identity.email.split('@')[0]}'s organization`,
        userId,
      );
      return { organizationId: organization.id, role: 'owner' as const };
    });
    if (!membership)
      throw new VrmError('forbidden', 'You are not a member of this organization', { status: 403 });
    return {
      kind: 'user',
      organizationId: membership.organizationId,
      role: membership.role,
      userId,
      apiKeyId: null,
    };
  }

  async #verify(token: string): Promise<SupabaseUser> {
    if (this.#o.jwtSecret) {
      try {
        const { payload } = await jwtVerify(token, new TextEncoder().encode(this.#o.jwtSecret), {
          algorithms: ['HS256'],
          audience: 'authenticated',
        });
        if (typeof payload.sub !== 'string' || typeof payload.email !== 'string') throw invalid();
        return { id: payload.sub, email: payload.email };
      } catch (error) {
        throw error instanceof VrmError ? error : invalid(error);
      }
    }
    const { data, error } = await this.#client!.auth.getUser(token);
    if (error || !data.user?.email) throw invalid(error);
    return { id: data.user.id, email: data.user.email };
  }

  async #userFor(identity: SupabaseUser): Promise<string> {
    return this.#o.db.system(async (tx) => {
      const [bySupabase] = await tx
        .select({ id: users.id })
        .from(users)
        .where(eq(users.supabaseId, identity.id));
      if (bySupabase) return bySupabase.id;
      const [byEmail] = await tx
        .select({ id: users.id })
        .from(users)
        .where(sql`lower(${users.email}) = ${identity.email.toLowerCase()}`);
      if (byEmail) {
        await tx.update(users).set({ supabaseId: identity.id }).where(eq(users.id, byEmail.id));
        return byEmail.id;
      }
      const [created] = await tx
        .insert(users)
        .values({ email: identity.email, supabaseId: identity.id })
        .returning({ id: users.id });
      return created!.id;
    });
  }
}
