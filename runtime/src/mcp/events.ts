import type { McpWireTransport } from './connect.js';

/** Connection state of one server, as the API shows it and the database keeps it. */
export type McpServerStatus =
  | { state: 'idle' }
  | { state: 'connecting'; since: Date }
  | { state: 'connected'; since: Date; transport: McpWireTransport }
  /** `since` is the first failure of the current streak; `retryAt` the next automatic attempt. */
  | { state: 'failing'; since: Date; lastError: string; errorCode: string; retryAt?: Date }
  | { state: 'disabled'; since: Date };

/** Security-relevant happenings the caller writes to the audit log. */
export type McpHostEvent =
  | {
      type: 'tool.definition_changed';
      serverId: string;
      organizationId: string;
      toolName: string;
      approvedHash: string;
      currentHash: string;
    }
  | {
      type: 'tool.pinned';
      serverId: string;
      organizationId: string;
      toolName: string;
      hash: string;
      by: 'first-sight' | 'approval';
    };

export type ToolsChangeReason = 'connected' | 'list_changed' | 'approved';
