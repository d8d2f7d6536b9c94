/**
 * The MCP host: connects the MCP servers an organization registered, keeps one session per
 * server, pins and guards their tools, and turns them into model tools for an agent.
 *
 * - `McpConnectionManager`: one per process, servers keyed by id (`register`, `tools`,
 *   `approve`, `callTool`, `shutdown`); reports `onStatus`, `onToolsChanged`, `onEvent`.
 * - `ToolCatalog`: one per agent (call): `load()` → model tools, `call(name, args, { signal,
 *   confirm, onProgress })` → `ToolCallResult`.
 * - `assertTransportAllowed`: the operator policy, for the API to refuse early with a 403.
 */

export { DEFAULT_CALL_TIMEOUT_MS, type McpCallOptions, type ToolProgress } from './call.js';
export {
  type McpHttpTransportConfig,
  type McpOAuthClientCredentials,
  McpOAuthClientCredentialsSchema,
  type McpServerConfig,
  type McpServerConfigInput,
  McpServerConfigSchema,
  type McpStdioTransportConfig,
  type McpTransportConfig,
  McpTransportConfigSchema,
} from './config.js';
export type { McpWireTransport } from './connect.js';
export { McpConnectionManager, type McpConnectionManagerOptions } from './connection-manager.js';
export type { McpHostEvent, McpServerStatus, ToolsChangeReason } from './events.js';
export { type AddressKind, classifyAddress } from './ip.js';
export {
  canonicalJson,
  InMemoryPinStore,
  type PinStore,
  type ToolPin,
  toolDefinitionHash,
} from './pinning.js';
export {
  assertTransportAllowed,
  assertUrlAllowed,
  type HostResolver,
  type McpPolicy,
  policyFromConfig,
  systemResolver,
} from './policy.js';
export type { ToolCallResult, ToolCallStatus } from './results.js';
export {
  type AgentToolBinding,
  type CatalogCallOptions,
  type ConfirmationReason,
  type ConfirmationRequest,
  type ModelTool,
  type ResolvedTool,
  ToolCatalog,
} from './tool-catalog.js';
export { assignModelToolNames, MODEL_TOOL_NAME_PATTERN, type ToolRef } from './tool-names.js';
export type { McpToolState } from './tool-state.js';
