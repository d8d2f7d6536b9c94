import type { Tool } from '@modelcontextprotocol/client';
import { z } from 'zod';
import type { Logger } from '../kernel/logger.js';
import { DEFAULT_CALL_TIMEOUT_MS, type ToolProgress } from './call.js';
import type { McpConnectionManager } from './connection-manager.js';
import { hostResult, type ToolCallResult } from './results.js';
import { assignModelToolNames, type ToolRef } from './tool-names.js';

/**
 * One `tools:` entry of an agent manifest, with the server name already resolved to the server id
 * of the agent's organization. Tool names are exact MCP names on that server.
 */
export interface AgentToolBinding {
  serverId: string;
  /** Only these tools (all approved tools when absent). */
  allow?: string[];
  /** Never these tools. */
  deny?: string[];
  /** Per tool, arguments the host fills in and the model never sees (`{ tool: { arg: value } }`). */
  pinnedArguments?: Record<string, Record<string, unknown>>;
  /** Tools that always need the caller's confirmation. */
  confirm?: string[];
  /** Idle timeout per call for this server's tools (default 5 s). */
  timeoutMs?: number;
  /** Per tool, a timeout that overrides `timeoutMs`. */
  toolTimeouts?: Record<string, number>;
}

/** A function definition for the language model (OpenAI `tools[].function` shape). */
export interface ModelTool {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

/** Why a call waits for the caller's yes: listed in the manifest, destructive, or from an untrusted server. */
export type ConfirmationReason = 'manifest' | 'destructive' | 'untrusted-server';

export interface ResolvedTool {
  modelName: string;
  serverId: string;
  serverName: string;
  toolName: string;
  /** The server's title or name for the tool, for a spoken confirmation question. */
  title: string;
  confirmation?: ConfirmationReason;
  timeoutMs: number;
  binding: AgentToolBinding;
}

export interface ConfirmationRequest {
  tool: ResolvedTool;
  /** The arguments the model chose (pinned hidden arguments are not included). */
  arguments: Record<string, unknown>;
  /** Aborted on barge-in or hang-up; stop asking then. */
  signal: AbortSignal;
}

export interface CatalogCallOptions {
  signal?: AbortSignal;
  /**
   * Asked before any tool that needs confirmation runs; resolve `true` to go ahead. Without it
   * such tools are refused (fail closed) with status `declined`.
   */
  confirm?: (request: ConfirmationRequest) => Promise<boolean>;
  onProgress?: (progress: ToolProgress) => void;
}

const ArgumentsSchema = z.record(z.string(), z.unknown());

/**
 * Annotations are hints from the server; only a trusted server's are believed. Otherwise the
 * spec's defaults apply (readOnlyHint false, destructiveHint true), so every call is confirmed.
 */
function confirmationReason(
  tool: Tool,
  binding: AgentToolBinding,
  trusted: boolean,
): ConfirmationReason | undefined {
  if (binding.confirm?.includes(tool.name)) return 'manifest';
  if (!trusted) return 'untrusted-server';
  const hints = tool.annotations ?? {};
  if (hints.readOnlyHint === true || hints.destructiveHint === false) return undefined;
  return 'destructive';
}

/** The input schema minus the pinned arguments, which the model must neither see nor supply. */
function visibleSchema(tool: Tool, pinned: Record<string, unknown> | undefined): Record<string, unknown> {
  const schema = structuredClone(tool.inputSchema) as Record<string, unknown>;
  delete schema.$schema;
  const properties = { ...((schema.properties as Record<string, unknown> | undefined) ?? {}) };
  const hidden = Object.keys(pinned ?? {});
  for (const key of hidden) delete properties[key];
  schema.properties = properties;
  if (Array.isArray(schema.required)) {
    schema.required = (schema.required as unknown[]).filter(
      (k) => typeof k !== 'string' || !hidden.includes(k),
    );
  }
  return schema;
}

/**
 * The tools one agent may use, as the model sees them: namespaced `<server>__<tool>`, filtered by
 * the manifest, with hidden arguments removed, only approved definitions. `call` maps a model's
 * tool call back, injects pinned arguments, asks for confirmation where needed and runs it.
 */
export class ToolCatalog {
  private byName = new Map<string, ResolvedTool>();
  private modelTools: ModelTool[] = [];

  constructor(
    private readonly manager: McpConnectionManager,
    private readonly bindings: readonly AgentToolBinding[],
    private readonly logger?: Logger,
  ) {}

  /** Connects the agent's servers (in parallel) and returns its tools. Unreachable servers add none. */
  async load(): Promise<ModelTool[]> {
    const ids = [...new Set(this.bindings.map((b) => b.serverId))];
    const outcomes = await Promise.allSettled(ids.map((id) => this.manager.tools(id, { force: false })));
    outcomes.forEach((outcome, i) => {
      if (outcome.status === 'rejected') {
        this.logger?.warn(
          { err: outcome.reason, mcpServerId: ids[i] },
          'mcp server unavailable; its tools are left out',
        );
      }
    });
    return this.list();
  }

  /** The tools from the manager's current cache (after `list_changed`, approvals, reconnects). */
  list(): ModelTool[] {
    this.rebuild();
    return this.modelTools;
  }

  /** Maps a model-facing name back to its server and exact MCP tool name. */
  resolve(modelName: string): ResolvedTool | undefined {
    return this.byName.get(modelName);
  }

  async call(modelName: string, rawArgs: unknown, options: CatalogCallOptions = {}): Promise<ToolCallResult> {
    let tool = this.byName.get(modelName);
    if (!tool) {
      this.rebuild();
      tool = this.byName.get(modelName);
    }
    if (!tool) return hostResult('not_found', `There is no tool named ${modelName}.`);
    const parsed = ArgumentsSchema.safeParse(rawArgs ?? {});
    if (!parsed.success) return hostResult('error', 'The tool arguments must be a JSON object.');
    const modelArgs = parsed.data;
    const pinned = tool.binding.pinnedArguments?.[tool.toolName] ?? {};
    const signal = options.signal ?? new AbortController().signal;
    if (tool.confirmation) {
      if (!options.confirm) {
        return hostResult(
          'declined',
          `${tool.title} needs the caller's confirmation, which cannot be asked here.`,
        );
      }
      let confirmed: boolean;
      try {
        confirmed = await options.confirm({ tool, arguments: modelArgs, signal });
      } catch {
        confirmed = false;
      }
      if (signal.aborted) return hostResult('cancelled', 'The call was cancelled before it finished.');
      if (!confirmed)
        return hostResult('declined', `The caller did not confirm, so ${tool.title} was not done.`);
    }
    return this.manager.callTool(
      tool.serverId,
      tool.toolName,
      { ...modelArgs, ...pinned },
      {
        signal,
        timeoutMs: tool.timeoutMs,
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      },
    );
  }

  private rebuild(): void {
    const candidates: {
      ref: ToolRef;
      tool: Tool;
      binding: AgentToolBinding;
      trusted: boolean;
      serverId: string;
    }[] = [];
    for (const binding of this.bindings) {
      const config = this.manager.config(binding.serverId);
      const states = this.manager.cachedTools(binding.serverId);
      if (!config || !states) continue;
      for (const state of states) {
        const name = state.tool.name;
        if (state.approval !== 'approved') continue;
        if (binding.allow && !binding.allow.includes(name)) continue;
        if (binding.deny?.includes(name)) continue;
        candidates.push({
          ref: { serverName: config.name, toolName: name },
          tool: state.tool,
          binding,
          trusted: config.trusted,
          serverId: binding.serverId,
        });
      }
    }
    const names = assignModelToolNames(candidates.map((c) => c.ref));
    const modelNameOf = new Map<ToolRef, string>([...names].map(([name, ref]) => [ref, name]));
    const byName = new Map<string, ResolvedTool>();
    const modelTools: ModelTool[] = [];
    for (const c of candidates) {
      const modelName = modelNameOf.get(c.ref);
      if (!modelName) continue;
      const confirmation = confirmationReason(c.tool, c.binding, c.trusted);
      byName.set(modelName, {
        modelName,
        serverId: c.serverId,
        serverName: c.ref.serverName,
        toolName: c.tool.name,
        title: c.tool.title ?? c.tool.annotations?.title ?? c.tool.name,
        ...(confirmation ? { confirmation } : {}),
        timeoutMs: c.binding.toolTimeouts?.[c.tool.name] ?? c.binding.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS,
        binding: c.binding,
      });
      modelTools.push({
        name: modelName,
        description: c.tool.description ?? c.tool.title ?? c.tool.name,
        parameters: visibleSchema(c.tool, c.binding.pinnedArguments?.[c.tool.name]),
      });
    }
    this.byName = byName;
    this.modelTools = modelTools;
  }
}
