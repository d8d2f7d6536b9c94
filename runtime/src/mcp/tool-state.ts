import type { Tool } from '@modelcontextprotocol/client';
import { type ToolPin, toolDefinitionHash } from './pinning.js';

/**
 * A server's tool with its approval: `approved` (matches its pin), `changed` (differs from the
 * approved definition: disabled until re-approved), `pending` (never approved: disabled).
 */
export interface McpToolState {
  tool: Tool;
  hash: string;
  approval: 'approved' | 'changed' | 'pending';
  /** The approved hash, when there is one. */
  approvedHash?: string;
}

export interface ToolEvaluation {
  tools: McpToolState[];
  /** Pins to store now (first sight of a tool, when new tools are approved automatically). */
  newPins: ToolPin[];
  /** Tools whose definition drifted from the approved one since the last evaluation. */
  drifted: McpToolState[];
}

/**
 * Compares a fresh tool list with the stored pins. Pure: the manager stores the pins and emits the
 * events. `previous` keeps a drift from being reported again on every refresh.
 */
export function evaluateTools(
  serverId: string,
  tools: readonly Tool[],
  pins: readonly ToolPin[],
  previous: ReadonlyMap<string, McpToolState> | undefined,
  autoApproveNewTools: boolean,
  now = new Date(),
): ToolEvaluation {
  const pinByName = new Map(pins.map((p) => [p.toolName, p]));
  const result: ToolEvaluation = { tools: [], newPins: [], drifted: [] };
  for (const tool of tools) {
    const hash = toolDefinitionHash(tool);
    const pin = pinByName.get(tool.name);
    let state: McpToolState;
    if (!pin) {
      if (autoApproveNewTools) {
        result.newPins.push({ serverId, toolName: tool.name, hash, approvedAt: now });
        state = { tool, hash, approval: 'approved', approvedHash: hash };
      } else {
        state = { tool, hash, approval: 'pending' };
      }
    } else if (pin.hash === hash) {
      state = { tool, hash, approval: 'approved', approvedHash: hash };
    } else {
      state = { tool, hash, approval: 'changed', approvedHash: pin.hash };
      const before = previous?.get(tool.name);
      if (!(before?.approval === 'changed' && before.hash === hash)) result.drifted.push(state);
    }
    result.tools.push(state);
  }
  return result;
}
