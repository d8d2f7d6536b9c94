import { manifestMcpEntries, manifestToolBinding, manifestVoiceSettings } from '../calls/manifest-tools.js';
import type { Logger } from '../kernel/logger.js';
import type { AgentManifest } from '../manifest/index.js';
import { type AgentToolBinding, InMemoryPinStore, McpConnectionManager, ToolCatalog } from '../mcp/index.js';
import { mcpToolExecutor } from '../voice/mcp-tools.js';
import { noTools, type ToolExecutor } from '../voice/tools.js';
import type { LocalMcpServer } from './mcp-servers-file.js';

/** A server the manifest names whose tools the agent does not get, and why. */
export interface UnavailableServer {
  server: string;
  reason: string;
}

export interface ManifestTools {
  /** The agent's MCP tools for a text session. */
  readonly tools: ToolExecutor;
  /** The tools as the model sees them (`crm__find_contact`). */
  readonly toolNames: readonly string[];
  readonly unavailable: readonly UnavailableServer[];
  /** Ends every session and stops the stdio servers. */
  close(): Promise<void>;
}

/**
 * Connects the MCP servers a manifest names, from a local servers file, and gives the agent their
 * tools with the manifest's filters, hidden arguments, confirmation and fillers, as a call on the
 * server would. Used by `vrm chat` and `vrm test` on the builder's own machine, so stdio servers
 * and private URLs are allowed. Servers are connected now, so a broken one is reported up front.
 */
export async function connectManifestTools(
  manifest: AgentManifest,
  servers: readonly LocalMcpServer[],
  options: { log: Logger },
): Promise<ManifestTools> {
  const entries = manifestMcpEntries(manifest);
  if (entries.length === 0) return { tools: noTools, toolNames: [], unavailable: [], close: async () => {} };
  const manager = new McpConnectionManager({
    logger: options.log,
    policy: { allowStdio: true, allowPrivateUrls: true },
    pinStore: new InMemoryPinStore(),
  });
  const unavailable: UnavailableServer[] = [];
  const bindings: AgentToolBinding[] = [];
  for (const entry of entries) {
    const server = servers.find((s) => s.name === entry.mcp);
    if (!server) {
      unavailable.push({ server: entry.mcp, reason: 'not defined in the servers file' });
      continue;
    }
    manager.register({
      id: server.name,
      organizationId: 'local',
      name: server.name,
      transport: server.transport,
      trusted: server.trusted,
    });
    bindings.push(manifestToolBinding(entry, server.name));
  }
  const connected = await Promise.allSettled(bindings.map((b) => manager.tools(b.serverId)));
  connected.forEach((outcome, i) => {
    if (outcome.status === 'rejected') {
      const reason = outcome.reason instanceof Error ? outcome.reason.message : String(outcome.reason);
      unavailable.push({ server: bindings[i]!.serverId, reason: `could not connect: ${reason}` });
    }
  });
  const catalog = new ToolCatalog(manager, bindings, options.log);
  const tools = mcpToolExecutor(catalog, manifestVoiceSettings(entries));
  const toolNames = (await catalog.load()).map((t) => t.name);
  return { tools, toolNames, unavailable, close: () => manager.shutdown() };
}
