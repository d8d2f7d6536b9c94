import { and, eq, sql } from 'drizzle-orm';
import { type ManifestMcpEntry, manifestToolBinding } from '../calls/manifest-tools.js';
import type { Database } from '../db/client.js';
import { mcpServers, mcpToolPins, secrets } from '../db/schema.js';
import {
  type AgentToolBinding,
  McpConnectionManager,
  type McpHostEvent,
  type McpServerStatus,
  type McpToolState,
  type McpTransportConfig,
  type PinStore,
  policyFromConfig,
  type ToolPin,
} from '../mcp/index.js';
import { audit } from './audit.js';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import type { SecretBox } from './secret-box.js';
import { putSecret, readSecret } from './secrets.js';

type ServerRow = typeof mcpServers.$inferSelect;

/** The parts of a transport that are credentials: kept encrypted in `secrets`, never in `mcp_servers`. */
interface TransportSecrets {
  headers?: Record<string, string>;
  env?: Record<string, string>;
  clientSecret?: string;
}

export const credentialSecretName = (serverId: string) => `mcp:${serverId}:credentials`;

/** Splits a transport into what may be stored and shown, and what must be encrypted. */
export function splitTransport(transport: McpTransportConfig): {
  visible: Record<string, unknown>;
  secret: TransportSecrets;
} {
  if (transport.type === 'stdio') {
    const { env, ...rest } = transport;
    return { visible: { ...rest, envKeys: Object.keys(env ?? {}) }, secret: env ? { env } : {} };
  }
  const { headers, auth, ...rest } = transport;
  const visible: Record<string, unknown> = { ...rest, headerNames: Object.keys(headers ?? {}) };
  const secret: TransportSecrets = {};
  if (headers) secret.headers = headers;
  if (auth) {
    const { clientSecret, ...publicAuth } = auth;
    visible.auth = publicAuth;
    secret.clientSecret = clientSecret;
  }
  return { visible, secret };
}

function joinTransport(visible: Record<string, unknown>, secret: TransportSecrets): McpTransportConfig {
  const {
    headerNames: _h,
    envKeys: _e,
    auth,
    ...rest
  } = visible as Record<string, unknown> & { auth?: Record<string, unknown> };
  if (rest.type === 'stdio')
    return { ...(rest as { type: 'stdio'; command: string }), ...(secret.env ? { env: secret.env } : {}) };
  return {
    ...(rest as { type: 'streamable-http'; url: string }),
    ...(secret.headers ? { headers: secret.headers } : {}),
    ...(auth
      ? {
          auth: {
            ...(auth as { type: 'oauth-client-credentials'; tokenUrl: string; clientId: string }),
            clientSecret: secret.clientSecret ?? '',
          },
        }
      : {}),
  };
}

/** The status as stored: state and last error. */
function statusColumns(status: McpServerStatus) {
  return { status: status.state, lastError: status.state === 'failing' ? status.lastError : null };
}

/** A tool as the API shows it: definition, approval and whether the organization enabled it. */
export function toolView(state: McpToolState, serverName: string, disabled: ReadonlySet<string>) {
  return {
    name: state.tool.name,
    namespacedName: `${serverName}__${state.tool.name}`,
    title: state.tool.title ?? state.tool.annotations?.title ?? null,
    description: state.tool.description ?? '',
    inputSchema: state.tool.inputSchema,
    outputSchema: state.tool.outputSchema ?? null,
    annotations: state.tool.annotations ?? null,
    hash: state.hash,
    approval: state.approval,
    approvedHash: state.approvedHash ?? null,
    enabled: !disabled.has(state.tool.name),
  };
}

/**
 * The organization-facing side of the MCP host: registered servers live in the database (their
 * credentials encrypted), are registered with the process's connection manager on start and on
 * change, and the manager's status, tool lists, pins and drift events are written back — drift
 * to the audit log.
 */
export class McpRegistry implements PinStore {
  readonly manager: McpConnectionManager;

  constructor(
    private readonly db: Database,
    private readonly box: SecretBox,
    config: Config,
    private readonly log: Logger,
  ) {
    this.manager = new McpConnectionManager({
      logger: log,
      policy: policyFromConfig(config),
      pinStore: this,
      onStatus: (id, status) => void this.#persist(id, statusColumns(status)),
      onToolsChanged: (id, tools) =>
        void this.#persist(id, {
          tools: tools.map((t) => ({ ...t.tool, hash: t.hash, approval: t.approval })),
        }),
      onEvent: (event) => void this.#audit(event),
    });
  }

  /** Registers every stored server with the manager (they connect lazily, on first use). */
  async loadAll(): Promise<void> {
    const rows = await this.db.system((tx) => tx.select().from(mcpServers));
    for (const row of rows) await this.register(row);
  }

  async register(row: ServerRow): Promise<void> {
    const secret = await this.db.withTenant(row.organizationId, (tx) =>
      readSecret(tx, this.box, row.organizationId, credentialSecretName(row.id)),
    );
    this.manager.register({
      id: row.id,
      organizationId: row.organizationId,
      name: row.name,
      transport: joinTransport(
        row.transport as Record<string, unknown>,
        secret ? (JSON.parse(secret) as TransportSecrets) : {},
      ),
      trusted: row.trusted,
      enabled: row.enabled,
    });
  }

  /** Stores a transport's credentials, encrypted; returns the part that may be stored in the clear. */
  async storeCredentials(
    tx: Parameters<Parameters<Database['system']>[0]>[0],
    organizationId: string,
    serverId: string,
    transport: McpTransportConfig,
  ) {
    const { visible, secret } = splitTransport(transport);
    if (Object.keys(secret).length > 0) {
      await putSecret(tx, this.box, organizationId, credentialSecretName(serverId), JSON.stringify(secret));
    } else {
      await tx
        .delete(secrets)
        .where(
          and(eq(secrets.organizationId, organizationId), eq(secrets.name, credentialSecretName(serverId))),
        );
    }
    return visible;
  }

  async disabledTools(organizationId: string, serverId: string): Promise<Set<string>> {
    const rows = await this.db.withTenant(organizationId, (tx) =>
      tx
        .select({ toolName: mcpToolPins.toolName })
        .from(mcpToolPins)
        .where(and(eq(mcpToolPins.serverId, serverId), eq(mcpToolPins.enabled, false))),
    );
    return new Set(rows.map((r) => r.toolName));
  }

  /**
   * Resolves a manifest's `tools:` entries (MCP servers by name) to bindings for a ToolCatalog;
   * tools the organization disabled are denied. Unknown server names are reported, not thrown.
   */
  async bindingsFor(
    organizationId: string,
    entries: readonly ManifestMcpEntry[],
  ): Promise<{ bindings: AgentToolBinding[]; missing: string[] }> {
    const rows = await this.db.withTenant(organizationId, (tx) => tx.select().from(mcpServers));
    const byName = new Map(rows.map((r) => [r.name, r]));
    const bindings: AgentToolBinding[] = [];
    const missing: string[] = [];
    for (const entry of entries) {
      const row = byName.get(entry.mcp);
      if (!row?.enabled) {
        missing.push(entry.mcp);
        continue;
      }
      if (!this.manager.config(row.id)) await this.register(row);
      bindings.push(manifestToolBinding(entry, row.id, await this.disabledTools(organizationId, row.id)));
    }
    return { bindings, missing };
  }

  // PinStore: pins are tenant rows; the manager knows the server, the database knows its organization.
  async list(serverId: string): Promise<ToolPin[]> {
    const rows = await this.db.system((tx) =>
      tx.select().from(mcpToolPins).where(eq(mcpToolPins.serverId, serverId)),
    );
    return rows.map((r) => ({
      serverId: r.serverId,
      toolName: r.toolName,
      hash: r.hash,
      approvedAt: r.approvedAt,
    }));
  }

  async save(pin: ToolPin): Promise<void> {
    await this.db.system((tx) =>
      tx
        .insert(mcpToolPins)
        .values({
          organizationId: sql`(select organization_id from mcp_servers where id = ${pin.serverId})`,
          serverId: pin.serverId,
          toolName: pin.toolName,
          hash: pin.hash,
          approvedAt: pin.approvedAt,
        })
        .onConflictDoUpdate({
          target: [mcpToolPins.serverId, mcpToolPins.toolName],
          set: { hash: pin.hash, approvedAt: pin.approvedAt },
        }),
    );
  }

  async shutdown(): Promise<void> {
    await this.manager.shutdown();
  }

  async #persist(serverId: string, columns: Partial<ServerRow>) {
    const organizationId = this.manager.config(serverId)?.organizationId;
    if (!organizationId) return;
    try {
      await this.db.withTenant(organizationId, (tx) =>
        tx
          .update(mcpServers)
          .set({ ...columns, updatedAt: new Date() })
          .where(eq(mcpServers.id, serverId)),
      );
    } catch (error) {
      this.log.warn({ err: error, serverId }, 'could not store MCP server state');
    }
  }

  async #audit(event: McpHostEvent) {
    try {
      await this.db.withTenant(event.organizationId, (tx) =>
        audit(tx, {
          organizationId: event.organizationId,
          action: event.type === 'tool.definition_changed' ? 'mcp_tool.changed' : 'mcp_tool.approved',
          targetType: 'mcp_tool',
          targetId: `${event.serverId}/${event.toolName}`,
          data:
            event.type === 'tool.definition_changed'
              ? { approvedHash: event.approvedHash, currentHash: event.currentHash }
              : { hash: event.hash, by: event.by },
        }),
      );
    } catch (error) {
      this.log.warn({ err: error }, 'could not audit MCP event');
    }
  }
}
