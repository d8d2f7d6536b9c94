import type { ToolCatalog } from '../mcp/index.js';
import type { ToolDefinition, ToolExecutor } from './tools.js';

/** Per-tool voice settings from the manifest (`tools[].settings`), by server and MCP tool name. */
export type McpToolVoiceSettings = (
  serverName: string,
  toolName: string,
) => { fillers?: readonly string[]; fillerAfterMs?: number } | undefined;

/**
 * The loop's `ToolExecutor` over an agent's MCP `ToolCatalog`. Tools the catalog wants confirmed
 * (manifest `confirm`, destructive or untrusted) are marked destructive, so the loop reads them
 * back and runs them only after a spoken yes — which is why the catalog's own confirmation hook
 * here answers yes.
 */
export function mcpToolExecutor(catalog: ToolCatalog, settings?: McpToolVoiceSettings): ToolExecutor {
  return {
    async list(): Promise<ToolDefinition[]> {
      const tools = await catalog.load();
      return tools.map((t) => {
        const resolved = catalog.resolve(t.name);
        const voice = resolved ? settings?.(resolved.serverName, resolved.toolName) : undefined;
        return {
          name: t.name,
          description: t.description,
          parameters: t.parameters,
          destructive: Boolean(resolved?.confirmation),
          ...(resolved ? { timeoutMs: resolved.timeoutMs } : {}),
          ...(voice?.fillers ? { fillers: voice.fillers } : {}),
          ...(voice?.fillerAfterMs === undefined ? {} : { fillerAfterMs: voice.fillerAfterMs }),
        };
      });
    },
    async execute(name, args, options) {
      const result = await catalog.call(name, args, {
        signal: options.signal,
        confirm: async () => true,
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      });
      return { ok: !result.isError, content: result.text };
    },
  };
}
