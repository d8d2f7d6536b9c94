import { createHash } from 'node:crypto';
import type { Tool } from '@modelcontextprotocol/client';

/** An approved tool definition: the hash a later definition must match to stay enabled. */
export interface ToolPin {
  serverId: string;
  toolName: string;
  hash: string;
  approvedAt: Date;
}

/**
 * Where approved tool hashes live. The database layer implements it per organization's servers;
 * `InMemoryPinStore` serves tests and single-process tools.
 */
export interface PinStore {
  /** Every pin of one server. */
  list(serverId: string): Promise<ToolPin[]>;
  /** Creates or replaces the pin of `pin.toolName` on `pin.serverId`. */
  save(pin: ToolPin): Promise<void>;
}

export class InMemoryPinStore implements PinStore {
  private readonly pins = new Map<string, Map<string, ToolPin>>();

  async list(serverId: string): Promise<ToolPin[]> {
    return [...(this.pins.get(serverId)?.values() ?? [])];
  }

  async save(pin: ToolPin): Promise<void> {
    let forServer = this.pins.get(pin.serverId);
    if (!forServer) {
      forServer = new Map();
      this.pins.set(pin.serverId, forServer);
    }
    forServer.set(pin.toolName, { ...pin });
  }
}

/** JSON with object keys sorted at every depth, so equal definitions always hash the same. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/**
 * SHA-256 (hex) of the parts of a tool definition that shape what the model reads and what a call
 * does: name, description, input and output schema, annotations. A server that rewrites any of
 * them after approval (a "rug pull", or instructions slipped into a description) changes the hash.
 */
export function toolDefinitionHash(tool: Tool): string {
  const pinned = {
    name: tool.name,
    description: tool.description,
    inputSchema: tool.inputSchema,
    outputSchema: tool.outputSchema,
    annotations: tool.annotations,
  };
  return createHash('sha256').update(canonicalJson(pinned)).digest('hex');
}
