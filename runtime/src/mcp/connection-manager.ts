import type { FetchLike, Tool } from '@modelcontextprotocol/client';
import { badRequest, notFound, VrmError } from '../errors.js';
import type { Logger } from '../kernel/logger.js';
import { type BackoffOptions, backoffDelay, DEFAULT_BACKOFF } from './backoff.js';
import {
  cancelledResult,
  DEFAULT_CALL_TIMEOUT_MS,
  invokeTool,
  type McpCallOptions,
  withinBudget,
} from './call.js';
import { type McpServerConfig, type McpServerConfigInput, McpServerConfigSchema } from './config.js';
import { connectMcpServer, type McpSession } from './connect.js';
import type { McpHostEvent, McpServerStatus, ToolsChangeReason } from './events.js';
import type { PinStore } from './pinning.js';
import { assertTransportAllowed, type HostResolver, type McpPolicy, systemResolver } from './policy.js';
import { hostResult, type ToolCallResult } from './results.js';
import { evaluateTools, type McpToolState } from './tool-state.js';

export interface McpConnectionManagerOptions {
  logger: Logger;
  policy: McpPolicy;
  pinStore: PinStore;
  onStatus?: (serverId: string, status: McpServerStatus) => void;
  onToolsChanged?: (serverId: string, tools: McpToolState[], reason: ToolsChangeReason) => void;
  onEvent?: (event: McpHostEvent) => void;
  /**
   * Pin a tool's definition the first time it is seen (trust on first use; the default). With
   * `false` new tools stay `pending` until `approve`. A changed definition is never auto-approved.
   */
  autoApproveNewTools?: boolean;
  resolve?: HostResolver;
  fetch?: FetchLike;
  roots?: { uri: string; name?: string }[];
  backoff?: BackoffOptions;
  connectTimeoutMs?: number;
  listChangedDebounceMs?: number;
}

interface ServerEntry {
  config: McpServerConfig;
  log: Logger;
  status: McpServerStatus;
  session?: McpSession;
  connecting?: Promise<McpSession>;
  tools?: Map<string, McpToolState>;
  /** Serialises tool-list updates so a late list never overwrites a newer one. */
  toolsQueue: Promise<void>;
  failures: number;
  retryTimer?: NodeJS.Timeout;
  /** Bumped whenever a session is replaced or dropped; callbacks of older sessions are ignored. */
  generation: number;
}

/**
 * Owns one MCP session per registered server for the whole process (servers of every
 * organization, keyed by server id): connects lazily, reconnects with backoff, caches and pins
 * tool lists, and runs calls with voice-sized timeouts.
 */
export class McpConnectionManager {
  private readonly servers = new Map<string, ServerEntry>();
  private readonly resolve: HostResolver;
  private closed = false;

  constructor(private readonly options: McpConnectionManagerOptions) {
    this.resolve = options.resolve ?? systemResolver;
  }

  /** Adds or updates a server. A changed transport or `enabled` flag ends the current session. */
  register(input: McpServerConfigInput): void {
    const parsed = McpServerConfigSchema.safeParse(input);
    if (!parsed.success) throw badRequest('Invalid MCP server configuration', parsed.error.issues);
    const config = parsed.data;
    const existing = this.servers.get(config.id);
    if (existing) {
      const reconnect =
        JSON.stringify(existing.config.transport) !== JSON.stringify(config.transport) ||
        existing.config.enabled !== config.enabled;
      existing.config = config;
      if (!reconnect) return;
      this.endSession(existing);
      existing.failures = 0;
      existing.tools = undefined;
      this.setStatus(existing, config.enabled ? { state: 'idle' } : { state: 'disabled', since: new Date() });
      return;
    }
    const entry: ServerEntry = {
      config,
      log: this.options.logger.child({ mcpServerId: config.id, mcpServer: config.name }),
      status: { state: 'idle' },
      toolsQueue: Promise.resolve(),
      failures: 0,
      generation: 0,
    };
    this.servers.set(config.id, entry);
    if (!config.enabled) this.setStatus(entry, { state: 'disabled', since: new Date() });
  }

  /** Removes a server and ends its session (and, for stdio, its processes). */
  async unregister(serverId: string): Promise<void> {
    const entry = this.servers.get(serverId);
    if (!entry) return;
    this.servers.delete(serverId);
    await this.endSession(entry);
  }

  config(serverId: string): McpServerConfig | undefined {
    return this.servers.get(serverId)?.config;
  }

  status(serverId: string): McpServerStatus | undefined {
    return this.servers.get(serverId)?.status;
  }

  /** The cached tool list, or undefined when the server has not been reached yet. */
  cachedTools(serverId: string): McpToolState[] | undefined {
    const tools = this.servers.get(serverId)?.tools;
    return tools ? [...tools.values()] : undefined;
  }

  /**
   * Connects if needed and returns the tool list: what `POST /v1/mcp-servers` uses to discover
   * tools. By default it skips any backoff wait and tries now; with `force: false` a server that
   * is waiting out a backoff fails at once (an agent starting a call should not wait on it).
   * Throws a VrmError when the server cannot be reached.
   */
  async tools(serverId: string, options: { force?: boolean } = {}): Promise<McpToolState[]> {
    const entry = this.entry(serverId);
    await this.ensureSession(entry, options.force ?? true);
    await entry.toolsQueue;
    return [...(entry.tools?.values() ?? [])];
  }

  /** Approves a tool's current definition: pins its hash and enables it. */
  async approve(serverId: string, toolName: string): Promise<McpToolState> {
    const entry = this.entry(serverId);
    if (!entry.tools) await this.tools(serverId);
    const state = entry.tools?.get(toolName);
    if (!state) throw notFound(`Tool ${toolName}`);
    await this.options.pinStore.save({ serverId, toolName, hash: state.hash, approvedAt: new Date() });
    const approved: McpToolState = { ...state, approval: 'approved', approvedHash: state.hash };
    entry.tools?.set(toolName, approved);
    this.emit({ ...this.eventBase(entry, toolName), type: 'tool.pinned', hash: state.hash, by: 'approval' });
    this.options.onToolsChanged?.(serverId, [...(entry.tools?.values() ?? [])], 'approved');
    return approved;
  }

  /**
   * Calls one tool by its exact MCP name. Never throws: every failure comes back as an `isError`
   * result with a status, phrased for the model.
   */
  async callTool(
    serverId: string,
    toolName: string,
    args: Record<string, unknown>,
    options: McpCallOptions = {},
  ): Promise<ToolCallResult> {
    const entry = this.servers.get(serverId);
    if (!entry) return hostResult('unavailable', 'That service is not connected to this agent.');
    const label = entry.config.name;
    const timeoutMs = options.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
    const controller = new AbortController();
    // Our own reason tells a barge-in apart from the SDK's timeout, which rejects with the same code.
    const onAbort = () => controller.abort(new VrmError('mcp_call_cancelled', 'Cancelled by the caller'));
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const session = await withinBudget(this.ensureSession(entry, false), controller.signal, timeoutMs);
      if (!session) {
        if (controller.signal.aborted) return cancelledResult();
        return hostResult('unavailable', `The ${label} service is unavailable right now.`);
      }
      const state = entry.tools?.get(toolName);
      if (!state) return hostResult('not_found', `There is no tool ${toolName} on the ${label} service.`);
      if (state.approval !== 'approved') {
        return hostResult('disabled', `The tool ${toolName} is disabled until an administrator approves it.`);
      }
      const generation = entry.generation;
      const outcome = await invokeTool(session, toolName, args, label, controller.signal, options);
      if (outcome.connectionLost !== undefined) this.dropSession(entry, generation, outcome.connectionLost);
      return outcome.result;
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Ends every session and kills every stdio server's process group. */
  async shutdown(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.servers.values()].map((entry) => this.endSession(entry)));
  }

  private entry(serverId: string): ServerEntry {
    const entry = this.servers.get(serverId);
    if (!entry) throw notFound(`MCP server ${serverId}`);
    return entry;
  }

  /**
   * The live session, or a connect in progress. While a reconnect waits out its backoff, calls
   * fail fast (a caller should not wait on a server that just failed) unless `force` is set.
   */
  private ensureSession(entry: ServerEntry, force: boolean): Promise<McpSession> {
    if (this.closed) return Promise.reject(new VrmError('mcp_host_closed', 'The MCP host is shutting down'));
    if (!entry.config.enabled) {
      return Promise.reject(
        new VrmError('mcp_server_disabled', `The MCP server ${entry.config.name} is disabled`),
      );
    }
    if (entry.session) return Promise.resolve(entry.session);
    if (entry.connecting) return entry.connecting;
    if (entry.retryTimer && !force && entry.status.state === 'failing') {
      return Promise.reject(
        new VrmError('mcp_server_unavailable', entry.status.lastError, { status: 503, retryable: true }),
      );
    }
    return this.startConnect(entry);
  }

  private startConnect(entry: ServerEntry): Promise<McpSession> {
    clearTimeout(entry.retryTimer);
    entry.retryTimer = undefined;
    const generation = ++entry.generation;
    const config = entry.config;
    this.setStatus(entry, { state: 'connecting', since: new Date() });
    const connecting = (async () => {
      await assertTransportAllowed(config.transport, this.options.policy, this.resolve);
      const session = await connectMcpServer(config.transport, {
        roots: this.options.roots,
        fetch: this.options.fetch,
        connectTimeoutMs: this.options.connectTimeoutMs,
        listChangedDebounceMs: this.options.listChangedDebounceMs,
        onToolsChanged: (error, tools) => {
          if (error) entry.log.warn({ err: error }, 'mcp tool list refresh failed');
          else if (tools) this.applyTools(entry, generation, tools, 'list_changed').catch(() => undefined);
        },
      });
      if (generation !== entry.generation || this.closed) {
        await session.client.close().catch(() => undefined);
        throw new VrmError('mcp_connect_superseded', 'The MCP server was reconfigured while connecting');
      }
      session.client.onclose = () => this.dropSession(entry, generation, new Error('The connection closed'));
      session.client.onerror = (error) => entry.log.debug({ err: error }, 'mcp transport error');
      let toolCount: number;
      try {
        const { tools } = await session.client.listTools();
        toolCount = tools.length;
        await this.applyTools(entry, generation, tools, 'connected');
      } catch (error) {
        session.client.onclose = undefined;
        await session.client.close().catch(() => undefined);
        throw error;
      }
      entry.session = session;
      entry.failures = 0;
      this.setStatus(entry, { state: 'connected', since: new Date(), transport: session.wire });
      entry.log.info({ transport: session.wire, tools: toolCount }, 'mcp server connected');
      return session;
    })();
    entry.connecting = connecting;
    connecting.then(
      () => {
        if (entry.connecting === connecting) entry.connecting = undefined;
      },
      (error: unknown) => {
        if (entry.connecting === connecting) entry.connecting = undefined;
        if (generation === entry.generation) this.fail(entry, error);
      },
    );
    return connecting;
  }

  /** Ends a session that broke (transport closed, connection error on a call) and schedules a reconnect. */
  private dropSession(entry: ServerEntry, generation: number, error: unknown): void {
    if (generation !== entry.generation || !entry.session || !this.servers.has(entry.config.id)) return;
    const session = entry.session;
    entry.session = undefined;
    entry.generation++;
    session.client.onclose = undefined;
    void session.client.close().catch(() => undefined);
    entry.log.warn({ err: error }, 'mcp session lost');
    this.fail(entry, error);
  }

  private fail(entry: ServerEntry, error: unknown): void {
    const lastError = error instanceof Error ? error.message : String(error);
    const errorCode = error instanceof VrmError ? error.code : 'mcp_connection_failed';
    const since = entry.status.state === 'failing' ? entry.status.since : new Date();
    // Policy refusals will not heal by waiting; they wait for the server to be reconfigured.
    const retry = !this.closed && !(error instanceof VrmError && !error.retryable);
    let retryAt: Date | undefined;
    if (retry) {
      const delay = backoffDelay(entry.failures, this.options.backoff ?? DEFAULT_BACKOFF);
      entry.failures++;
      retryAt = new Date(Date.now() + delay);
      entry.retryTimer = setTimeout(() => {
        entry.retryTimer = undefined;
        if (this.servers.get(entry.config.id) === entry) this.startConnect(entry).catch(() => undefined);
      }, delay);
      entry.retryTimer.unref();
    }
    entry.log.warn({ errorCode, retryAt }, 'mcp server failing');
    this.setStatus(entry, { state: 'failing', since, lastError, errorCode, ...(retryAt ? { retryAt } : {}) });
  }

  private async endSession(entry: ServerEntry): Promise<void> {
    clearTimeout(entry.retryTimer);
    entry.retryTimer = undefined;
    entry.generation++;
    const session = entry.session;
    entry.session = undefined;
    if (session) {
      session.client.onclose = undefined;
      await session.client.close().catch(() => undefined);
    }
  }

  private applyTools(
    entry: ServerEntry,
    generation: number,
    tools: Tool[],
    reason: ToolsChangeReason,
  ): Promise<void> {
    const run = async () => {
      if (generation !== entry.generation) return;
      const serverId = entry.config.id;
      const pins = await this.options.pinStore.list(serverId);
      const evaluation = evaluateTools(
        serverId,
        tools,
        pins,
        entry.tools,
        this.options.autoApproveNewTools ?? true,
      );
      for (const pin of evaluation.newPins) {
        await this.options.pinStore.save(pin);
        this.emit({
          ...this.eventBase(entry, pin.toolName),
          type: 'tool.pinned',
          hash: pin.hash,
          by: 'first-sight',
        });
      }
      for (const drift of evaluation.drifted) {
        entry.log.warn({ tool: drift.tool.name }, 'mcp tool definition changed; disabled until re-approved');
        this.emit({
          ...this.eventBase(entry, drift.tool.name),
          type: 'tool.definition_changed',
          approvedHash: drift.approvedHash ?? '',
          currentHash: drift.hash,
        });
      }
      entry.tools = new Map(evaluation.tools.map((t) => [t.tool.name, t]));
      this.options.onToolsChanged?.(serverId, evaluation.tools, reason);
    };
    const applied = entry.toolsQueue.then(run);
    entry.toolsQueue = applied.catch((error) => {
      entry.log.error({ err: error }, 'mcp tool list could not be applied');
    });
    return applied;
  }

  private eventBase(entry: ServerEntry, toolName: string) {
    return { serverId: entry.config.id, organizationId: entry.config.organizationId, toolName };
  }

  private emit(event: McpHostEvent): void {
    this.options.onEvent?.(event);
  }

  private setStatus(entry: ServerEntry, status: McpServerStatus): void {
    entry.status = status;
    this.options.onStatus?.(entry.config.id, status);
  }
}
