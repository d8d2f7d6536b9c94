/**
 * VRM's platform schema. One schema, two drivers (PGlite embedded, PostgreSQL via postgres.js).
 *
 * Tenancy: every tenant table carries `organization_id` and a row-level-security policy keyed on
 * the transaction-local setting `vrm.org_id` (see `withTenant` in ./tenant.ts). Application
 * queries run as the role `vrm_app`, which owns no table and is no superuser, so the policies
 * always apply: a query that forgets to set the tenant sees no rows and can write none.
 *
 * Call events (`call_events.type`) that other parts read (the analytics plugin, the studio):
 * - `turn.metrics`: `data = { endpointingMs, sttMs, llmTtftMs, ttsTtfbMs, voiceToVoiceMs }`, one
 *   per caller turn (a field is absent when its stage did not run). Milliseconds: endpointing =
 *   end of the caller's last word → end-of-turn decision; stt = last word end → its final
 *   transcript; llmTtft = model request → first token; ttsTtfb = first text to TTS → first audio;
 *   voiceToVoice = last word end → first reply audio sent to the carrier
 *   (runtime/src/voice/turn-metrics.ts).
 * - `tool.result`: `data = { server, tool, name, durationMs, isError }`.
 * - `call.ended`: `data = { reason }`.
 */
import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgPolicy,
  pgRole,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

/** The role application queries run as. Created (idempotently) by migration 0000. */
export const appRole = pgRole('vrm_app').existing();

/** The current tenant, or NULL when none is set — which matches no row. */
export const currentOrg = sql`nullif(current_setting('vrm.org_id', true), '')::uuid`;

const tenantPolicy = (table: string) =>
  pgPolicy(`${table}_tenant_isolation`, {
    as: 'permissive',
    for: 'all',
    to: appRole,
    using: sql`organization_id = ${currentOrg}`,
    withCheck: sql`organization_id = ${currentOrg}`,
  });

const id = () => uuid('id').primaryKey().defaultRandom();
const createdAt = () => timestamp('created_at', { withTimezone: true }).notNull().defaultNow();
const orgId = () =>
  uuid('organization_id')
    .notNull()
    .references(() => organizations.id, { onDelete: 'cascade' });

export const ROLES = ['owner', 'admin', 'builder', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const organizations = pgTable(
  'organizations',
  {
    id: id(),
    name: text('name').notNull(),
    slug: text('slug').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('organizations_slug_key').on(t.slug),
    pgPolicy('organizations_tenant_isolation', {
      for: 'all',
      to: appRole,
      using: sql`id = ${currentOrg}`,
      withCheck: sql`id = ${currentOrg}`,
    }),
  ],
).enableRLS();

/**
 * Users are global (one person may belong to several organizations). The application role sees
 * only the users who are members of the current organization.
 */
export const users = pgTable(
  'users',
  {
    id: id(),
    email: text('email').notNull(),
    name: text('name'),
    passwordHash: text('password_hash'),
    supabaseId: text('supabase_id'),
    mfaSecret: text('mfa_secret'),
    mfaEnabled: boolean('mfa_enabled').notNull().default(false),
    failedLogins: integer('failed_logins').notNull().default(0),
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('users_email_key').on(sql`lower(${t.email})`),
    uniqueIndex('users_supabase_id_key').on(t.supabaseId),
    pgPolicy('users_member_of_current_org', {
      for: 'select',
      to: appRole,
      using: sql`exists (select 1 from memberships m where m.user_id = users.id and m.organization_id = ${currentOrg})`,
    }),
  ],
).enableRLS();

export const memberships = pgTable(
  'memberships',
  {
    organizationId: orgId(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text('role', { enum: ROLES }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.organizationId, t.userId] }), tenantPolicy('memberships')],
).enableRLS();

export const apiKeys = pgTable(
  'api_keys',
  {
    id: id(),
    organizationId: orgId(),
    name: text('name').notNull(),
    /** The first characters of the key, shown in lists so a person can tell keys apart. */
    prefix: text('prefix').notNull(),
    keyHash: text('key_hash').notNull(),
    role: text('role', { enum: ROLES }).notNull(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('api_keys_key_hash_key').on(t.keyHash), tenantPolicy('api_keys')],
).enableRLS();

/** Rotating refresh tokens. A reused (already rotated) token revokes its whole family. */
export const refreshTokens = pgTable(
  'refresh_tokens',
  {
    id: id(),
    organizationId: orgId(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    familyId: uuid('family_id').notNull(),
    tokenHash: text('token_hash').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    rotatedAt: timestamp('rotated_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('refresh_tokens_token_hash_key').on(t.tokenHash),
    index('refresh_tokens_family_idx').on(t.familyId),
    tenantPolicy('refresh_tokens'),
  ],
).enableRLS();

export const agents = pgTable(
  'agents',
  {
    id: id(),
    organizationId: orgId(),
    name: text('name').notNull(),
    description: text('description'),
    liveVersion: integer('live_version').notNull(),
    latestVersion: integer('latest_version').notNull(),
    createdBy: uuid('created_by'),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('agents_org_name_key').on(t.organizationId, t.name).where(sql`deleted_at is null`),
    tenantPolicy('agents'),
  ],
).enableRLS();

/** Immutable: a version is never updated except to stamp when it was published. */
export const agentVersions = pgTable(
  'agent_versions',
  {
    id: id(),
    organizationId: orgId(),
    agentId: uuid('agent_id')
      .notNull()
      .references(() => agents.id, { onDelete: 'cascade' }),
    version: integer('version').notNull(),
    /** The YAML exactly as written, comments included. */
    yaml: text('yaml').notNull(),
    manifest: jsonb('manifest').notNull(),
    hash: text('hash').notNull(),
    createdBy: uuid('created_by'),
    createdAt: createdAt(),
    publishedAt: timestamp('published_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('agent_versions_agent_version_key').on(t.agentId, t.version),
    tenantPolicy('agent_versions'),
  ],
).enableRLS();

export const MCP_SERVER_STATUSES = ['idle', 'connecting', 'connected', 'failing', 'disabled'] as const;

export const mcpServers = pgTable(
  'mcp_servers',
  {
    id: id(),
    organizationId: orgId(),
    name: text('name').notNull(),
    /** Transport without its secrets; headers and OAuth credentials live in `secrets`. */
    transport: jsonb('transport').notNull(),
    trusted: boolean('trusted').notNull().default(false),
    enabled: boolean('enabled').notNull().default(true),
    status: text('status', { enum: MCP_SERVER_STATUSES }).notNull().default('idle'),
    lastError: text('last_error'),
    tools: jsonb('tools').notNull().default(sql`'[]'::jsonb`),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('mcp_servers_org_name_key').on(t.organizationId, t.name), tenantPolicy('mcp_servers')],
).enableRLS();

/** A tool definition approved by a person, pinned by the hash of its definition. */
export const mcpToolPins = pgTable(
  'mcp_tool_pins',
  {
    organizationId: orgId(),
    serverId: uuid('server_id')
      .notNull()
      .references(() => mcpServers.id, { onDelete: 'cascade' }),
    toolName: text('tool_name').notNull(),
    hash: text('hash').notNull(),
    enabled: boolean('enabled').notNull().default(true),
    approvedBy: uuid('approved_by'),
    approvedAt: timestamp('approved_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.serverId, t.toolName] }), tenantPolicy('mcp_tool_pins')],
).enableRLS();

export const CALL_STATUSES = ['active', 'completed', 'failed'] as const;

export const calls = pgTable(
  'calls',
  {
    id: id(),
    organizationId: orgId(),
    agentId: uuid('agent_id').references(() => agents.id, { onDelete: 'set null' }),
    agentVersion: integer('agent_version'),
    /** twilio | browser | text */
    channel: text('channel').notNull(),
    direction: text('direction').notNull().default('inbound'),
    fromNumber: text('from_number'),
    toNumber: text('to_number'),
    providerCallId: text('provider_call_id'),
    status: text('status', { enum: CALL_STATUSES }).notNull().default('active'),
    startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
    endedAt: timestamp('ended_at', { withTimezone: true }),
    durationMs: integer('duration_ms'),
    endedReason: text('ended_reason'),
    variables: jsonb('variables').notNull().default(sql`'{}'::jsonb`),
    analysis: jsonb('analysis'),
  },
  (t) => [
    index('calls_org_started_idx').on(t.organizationId, t.startedAt),
    index('calls_agent_idx').on(t.agentId),
    tenantPolicy('calls'),
  ],
).enableRLS();

export const callEvents = pgTable(
  'call_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    organizationId: orgId(),
    callId: uuid('call_id')
      .notNull()
      .references(() => calls.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    type: text('type').notNull(),
    turnId: integer('turn_id'),
    at: timestamp('at', { withTimezone: true, precision: 3 }).notNull(),
    /** Milliseconds since the call started (monotonic clock), for waterfalls. */
    offsetMs: integer('offset_ms').notNull(),
    data: jsonb('data').notNull().default(sql`'{}'::jsonb`),
  },
  (t) => [uniqueIndex('call_events_call_seq_key').on(t.callId, t.seq), tenantPolicy('call_events')],
).enableRLS();

/** Provider keys and MCP credentials, AES-256-GCM encrypted (see ../kernel/secret-box.ts). */
export const secrets = pgTable(
  'secrets',
  {
    id: id(),
    organizationId: orgId(),
    name: text('name').notNull(),
    ciphertext: text('ciphertext').notNull(),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('secrets_org_name_key').on(t.organizationId, t.name), tenantPolicy('secrets')],
).enableRLS();

export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    organizationId: orgId(),
    actorUserId: uuid('actor_user_id'),
    actorApiKeyId: uuid('actor_api_key_id'),
    action: text('action').notNull(),
    targetType: text('target_type'),
    targetId: text('target_id'),
    ip: text('ip'),
    requestId: text('request_id'),
    data: jsonb('data').notNull().default(sql`'{}'::jsonb`),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('audit_log_org_at_idx').on(t.organizationId, t.at), tenantPolicy('audit_log')],
).enableRLS();
