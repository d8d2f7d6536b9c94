import { randomBytes, randomUUID } from 'node:crypto';
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { Database, Tx } from '../db/client.js';
import { memberships, organizations, type Role, refreshTokens, users } from '../db/schema.js';
import { VrmError } from '../errors.js';
import { audit } from '../kernel/audit.js';
import type { SecretBox } from '../kernel/secret-box.js';
import { hashToken } from './api-keys.js';
import { dummyPasswordHash, hashPassword, verifyPassword } from './passwords.js';
import type { AccessTokens } from './tokens.js';
import { newTotpSecret, totpUri, verifyTotp } from './totp.js';

export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MS = 15 * 60_000;

export interface AuthServiceOptions {
  db: Database;
  tokens: AccessTokens;
  secretBox: SecretBox;
  passwordCost: number;
  refreshTtlSeconds: number;
}

export interface RequestMeta {
  ip: string | null;
  requestId: string | null;
}

export interface Session {
  token: string;
  refreshToken: string;
  expiresIn: number;
  user: { id: string; email: string; name: string | null; mfaEnabled: boolean };
  organization: { id: string; name: string; slug: string };
  role: Role;
}

type UserRow = typeof users.$inferSelect;

const invalidCredentials = () =>
  new VrmError('invalid_credentials', 'Email or password is incorrect', { status: 401 });

/** Signup, login (with lockout and TOTP), refresh-token rotation and organization switching. */
export class AuthService {
  readonly #o: AuthServiceOptions;

  constructor(options: AuthServiceOptions) {
    this.#o = options;
  }

  async signup(
    input: { email: string; password: string; organization: string; name?: string | undefined },
    meta: RequestMeta,
  ): Promise<Session> {
    const passwordHash = await hashPassword(input.password, this.#o.passwordCost);
    const { user, organization } = await this.#o.db.system(async (tx) => {
      const existing = await findUserByEmail(tx, input.email);
      if (existing)
        throw new VrmError('email_taken', 'An account with this email already exists', { status: 409 });
      const [user] = await tx
        .insert(users)
        .values({ email: input.email, name: input.name ?? null, passwordHash })
        .returning();
      const organization = await createOrganization(tx, input.organization, user!.id);
      await audit(tx, {
        organizationId: organization.id,
        action: 'auth.signup',
        actorUserId: user!.id,
        ...meta,
      });
      return { user: user!, organization };
    });
    return this.#issue(user, organization, 'owner');
  }

  async login(
    input: {
      email: string;
      password: string;
      totp?: string | undefined;
      organizationId?: string | undefined;
    },
    meta: RequestMeta,
  ): Promise<Session> {
    const user = await this.#o.db.system((tx) => findUserByEmail(tx, input.email));
    if (!user?.passwordHash) {
      // Same work as a real check, so response time does not tell which emails exist.
      await verifyPassword(input.password, await dummyPasswordHash(this.#o.passwordCost));
      throw invalidCredentials();
    }
    const now = Date.now();
    if (user.lockedUntil && user.lockedUntil.getTime() > now) throw lockedError(user.lockedUntil, now);

    if (!(await verifyPassword(input.password, user.passwordHash))) {
      await this.#recordFailure(user, meta, 'password');
      throw invalidCredentials();
    }
    if (user.mfaEnabled) {
      if (!input.totp) {
        throw new VrmError(
          'mfa_required',
          'This account uses two-factor authentication: send the 6-digit code as "totp"',
          {
            status: 401,
          },
        );
      }
      if (!verifyTotp(this.#totpSecret(user), input.totp)) {
        await this.#recordFailure(user, meta, 'totp');
        throw new VrmError('mfa_invalid', 'The two-factor code is incorrect or expired', { status: 401 });
      }
    }
    const membership = await this.#membership(user.id, input.organizationId);
    await this.#o.db.system(async (tx) => {
      await tx.update(users).set({ failedLogins: 0, lockedUntil: null }).where(eq(users.id, user.id));
      await audit(tx, {
        organizationId: membership.organization.id,
        action: 'auth.login',
        actorUserId: user.id,
        ...meta,
      });
    });
    return this.#issue(user, membership.organization, membership.role);
  }

  /** Exchanges a refresh token for a new pair; a token used twice revokes its whole family. */
  async refresh(refreshToken: string, meta: RequestMeta): Promise<Session> {
    const hash = hashToken(refreshToken);
    const row = await this.#o.db.system(async (tx) => {
      const [row] = await tx
        .select()
        .from(refreshTokens)
        .where(eq(refreshTokens.tokenHash, hash))
        .for('update');
      if (!row || row.revokedAt || row.expiresAt.getTime() <= Date.now()) return null;
      if (row.rotatedAt) {
        await tx
          .update(refreshTokens)
          .set({ revokedAt: new Date() })
          .where(and(eq(refreshTokens.familyId, row.familyId), isNull(refreshTokens.revokedAt)));
        await audit(tx, {
          organizationId: row.organizationId,
          action: 'auth.refresh_reuse',
          actorUserId: row.userId,
          ...meta,
        });
        return 'reused' as const;
      }
      await tx.update(refreshTokens).set({ rotatedAt: new Date() }).where(eq(refreshTokens.id, row.id));
      return row;
    });
    if (row === null || row === 'reused') {
      throw new VrmError('invalid_refresh_token', 'Refresh token is invalid, expired or already used', {
        status: 401,
      });
    }
    const user = await this.#o.db.system(
      async (tx) => (await tx.select().from(users).where(eq(users.id, row.userId)))[0],
    );
    if (!user) throw new VrmError('invalid_refresh_token', 'Refresh token is invalid', { status: 401 });
    const membership = await this.#membership(user.id, row.organizationId);
    return this.#issue(user, membership.organization, membership.role, row.familyId);
  }

  async logout(refreshToken: string): Promise<void> {
    const hash = hashToken(refreshToken);
    await this.#o.db.system(async (tx) => {
      const [row] = await tx.select().from(refreshTokens).where(eq(refreshTokens.tokenHash, hash));
      if (!row) return;
      await tx
        .update(refreshTokens)
        .set({ revokedAt: new Date() })
        .where(and(eq(refreshTokens.familyId, row.familyId), isNull(refreshTokens.revokedAt)));
    });
  }

  /** A new session for another organization the user belongs to. */
  async switchOrganization(userId: string, organizationId: string): Promise<Session> {
    const user = await this.#o.db.system(
      async (tx) => (await tx.select().from(users).where(eq(users.id, userId)))[0],
    );
    if (!user) throw new VrmError('unauthorized', 'Unknown user', { status: 401 });
    const membership = await this.#membership(userId, organizationId);
    return this.#issue(user, membership.organization, membership.role);
  }

  async createOrganization(userId: string, name: string): Promise<Session> {
    const { user, organization } = await this.#o.db.system(async (tx) => {
      const [user] = await tx.select().from(users).where(eq(users.id, userId));
      if (!user) throw new VrmError('unauthorized', 'Unknown user', { status: 401 });
      return { user, organization: await createOrganization(tx, name, userId) };
    });
    return this.#issue(user, organization, 'owner');
  }

  /** Starts TOTP enrolment: stores an encrypted secret, not yet enforced. */
  async beginMfa(userId: string): Promise<{ secret: string; otpauthUrl: string }> {
    const secret = newTotpSecret();
    const user = await this.#o.db.system(async (tx) => {
      const [user] = await tx.select().from(users).where(eq(users.id, userId));
      if (!user) throw new VrmError('unauthorized', 'Unknown user', { status: 401 });
      if (user.mfaEnabled)
        throw new VrmError('mfa_already_enabled', 'Two-factor authentication is already on', { status: 409 });
      await tx
        .update(users)
        .set({ mfaSecret: this.#o.secretBox.encrypt(secret, `totp:${userId}`) })
        .where(eq(users.id, userId));
      return user;
    });
    return { secret, otpauthUrl: totpUri(secret, user.email) };
  }

  async setMfa(
    userId: string,
    enable: boolean,
    code: string,
    context: { organizationId: string } & RequestMeta,
  ) {
    await this.#o.db.system(async (tx) => {
      const [user] = await tx.select().from(users).where(eq(users.id, userId));
      if (!user?.mfaSecret)
        throw new VrmError('mfa_not_started', 'Start two-factor setup first', { status: 409 });
      if (!verifyTotp(this.#totpSecret(user), code)) {
        throw new VrmError('mfa_invalid', 'The two-factor code is incorrect or expired', { status: 400 });
      }
      await tx
        .update(users)
        .set(enable ? { mfaEnabled: true } : { mfaEnabled: false, mfaSecret: null })
        .where(eq(users.id, userId));
      await audit(tx, {
        organizationId: context.organizationId,
        action: enable ? 'auth.mfa_enabled' : 'auth.mfa_disabled',
        actorUserId: userId,
        ip: context.ip,
        requestId: context.requestId,
      });
    });
  }

  /** Issues a session for a user already authenticated elsewhere (Supabase). */
  issueFor(user: UserRow, organization: { id: string; name: string; slug: string }, role: Role) {
    return this.#issue(user, organization, role);
  }

  #totpSecret(user: UserRow): string {
    return this.#o.secretBox.decrypt(user.mfaSecret!, `totp:${user.id}`);
  }

  async #recordFailure(user: UserRow, meta: RequestMeta, factor: 'password' | 'totp') {
    await this.#o.db.system(async (tx) => {
      const [updated] = await tx
        .update(users)
        .set({ failedLogins: sql`${users.failedLogins} + 1` })
        .where(eq(users.id, user.id))
        .returning({ failedLogins: users.failedLogins });
      const failures = updated?.failedLogins ?? 0;
      const locked = failures >= MAX_FAILED_LOGINS;
      if (locked) {
        await tx
          .update(users)
          .set({ lockedUntil: new Date(Date.now() + LOCKOUT_MS), failedLogins: 0 })
          .where(eq(users.id, user.id));
      }
      const orgs = await tx
        .select({ id: memberships.organizationId })
        .from(memberships)
        .where(eq(memberships.userId, user.id));
      for (const org of orgs) {
        await audit(tx, {
          organizationId: org.id,
          action: 'auth.login_failed',
          actorUserId: user.id,
          data: { factor, failures },
          ...meta,
        });
        if (locked) {
          await audit(tx, { organizationId: org.id, action: 'auth.locked', actorUserId: user.id, ...meta });
        }
      }
    });
  }

  async #membership(userId: string, organizationId?: string) {
    const rows = await this.#o.db.system((tx) =>
      tx
        .select({ role: memberships.role, organization: organizations })
        .from(memberships)
        .innerJoin(organizations, eq(organizations.id, memberships.organizationId))
        .where(
          organizationId
            ? and(eq(memberships.userId, userId), eq(memberships.organizationId, organizationId))
            : eq(memberships.userId, userId),
        )
        .orderBy(asc(memberships.createdAt))
        .limit(1),
    );
    const row = rows[0];
    if (!row) {
      throw organizationId
        ? new VrmError('forbidden', 'You are not a member of this organization', { status: 403 })
        : new VrmError('no_organization', 'This account belongs to no organization', { status: 403 });
    }
    return row;
  }

  async #issue(
    user: UserRow,
    organization: { id: string; name: string; slug: string },
    role: Role,
    familyId: string = randomUUID(),
  ): Promise<Session> {
    const refreshToken = `vrmr_${randomBytes(32).toString('base64url')}`;
    await this.#o.db.system((tx) =>
      tx.insert(refreshTokens).values({
        organizationId: organization.id,
        userId: user.id,
        familyId,
        tokenHash: hashToken(refreshToken),
        expiresAt: new Date(Date.now() + this.#o.refreshTtlSeconds * 1000),
      }),
    );
    const token = await this.#o.tokens.sign({ sub: user.id, org: organization.id, role });
    return {
      token,
      refreshToken,
      expiresIn: this.#o.tokens.ttlSeconds,
      user: { id: user.id, email: user.email, name: user.name, mfaEnabled: user.mfaEnabled },
      organization: { id: organization.id, name: organization.name, slug: organization.slug },
      role,
    };
  }
}

export async function findUserByEmail(tx: Tx, email: string): Promise<UserRow | undefined> {
  const [user] = await tx.select().from(users).where(sql`lower(${users.email}) = ${email.toLowerCase()}`);
  return user;
}

/** Creates an organization with a unique slug and makes `ownerId` its owner. */
export async function createOrganization(tx: Tx, name: string, ownerId: string) {
  const base =
    name
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'org';
  let slug = base;
  for (let attempt = 0; ; attempt++) {
    const [taken] = await tx
      .select({ id: organizations.id })
      .from(organizations)
      .where(eq(organizations.slug, slug));
    if (!taken) break;
    slug = `${base}-${randomBytes(3).toString('hex')}`;
    if (attempt > 5)
      throw new VrmError('conflict', 'Could not find a free organization slug', { status: 409 });
  }
  const [organization] = await tx.insert(organizations).values({ name, slug }).returning();
  await tx.insert(memberships).values({ organizationId: organization!.id, userId: ownerId, role: 'owner' });
  return organization!;
}

function lockedError(until: Date, now: number) {
  const retryAfterSeconds = Math.ceil((until.getTime() - now) / 1000);
  return new VrmError(
    'account_locked',
    `Too many failed sign-in attempts; try again in ${Math.ceil(retryAfterSeconds / 60)} min`,
    {
      status: 429,
      details: { retryAfterSeconds },
    },
  );
}
