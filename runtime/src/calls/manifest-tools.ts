import type { AgentManifest } from '../manifest/index.js';
import type { AgentToolBinding } from '../mcp/index.js';
import type { McpToolVoiceSettings } from '../voice/mcp-tools.js';

/** A manifest `tools:` entry that names an MCP server. */
export type ManifestMcpEntry = Extract<AgentManifest['tools'][number], { mcp: string }>;

export function manifestMcpEntries(manifest: AgentManifest): ManifestMcpEntry[] {
  return manifest.tools.filter((t): t is ManifestMcpEntry => 'mcp' in t);
}

/**
 * One manifest entry as a ToolCatalog binding: allow/deny, per-tool confirmation, hidden
 * (pinned) arguments and timeouts. The one mapping the server, `vrm chat` and `vrm test` share.
 */
export function manifestToolBinding(
  entry: ManifestMcpEntry,
  serverId: string,
  extraDeny: Iterable<string> = [],
): AgentToolBinding {
  const settings = Object.entries(entry.settings ?? {});
  const confirm = settings.filter(([, s]) => s.confirm).map(([name]) => name);
  const pinned = settings.filter(([, s]) => s.pinned);
  const timeouts = settings.filter(([, s]) => s.timeoutMs !== undefined);
  return {
    serverId,
    ...(entry.allow ? { allow: entry.allow } : {}),
    deny: [...entry.deny, ...extraDeny],
    ...(confirm.length > 0 ? { confirm } : {}),
    ...(pinned.length > 0
      ? {
          pinnedArguments: Object.fromEntries(
            pinned.map(([name, s]) => [name, s.pinned as Record<string, unknown>]),
          ),
        }
      : {}),
    timeoutMs: entry.timeoutMs,
    ...(timeouts.length > 0
      ? { toolTimeouts: Object.fromEntries(timeouts.map(([name, s]) => [name, s.timeoutMs!])) }
      : {}),
  };
}

/** The manifest's filler settings per tool, for the voice loop's tool executor. */
export function manifestVoiceSettings(entries: readonly ManifestMcpEntry[]): McpToolVoiceSettings {
  const byServer = new Map(entries.map((e) => [e.mcp, e]));
  return (server, tool) => {
    const s = byServer.get(server)?.settings?.[tool];
    return s ? { ...(s.fillers ? { fillers: s.fillers } : {}), fillerAfterMs: s.fillerAfterMs } : undefined;
  };
}
