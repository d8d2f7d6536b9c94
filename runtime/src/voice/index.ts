/**
 * The streaming voice loop. A call is `createVoiceSession({ config, providers, telephony, tools,
 * trace, signal })`; a text conversation through the same logic is `createTextSession(...)`.
 * The loop sees providers only through `../providers/types.ts` and tools through `ToolExecutor`.
 */
export {
  parseVoiceAgentConfig,
  type TurnTakingConfig,
  type VoiceAgentConfig,
  type VoiceAgentConfigInput,
  VoiceAgentConfigSchema,
} from './config.js';
export { Conversation } from './conversation.js';
export type { EndReason, Frame, FrameType } from './frames.js';
export { type ManifestVoiceOptions, voiceConfigFromManifest } from './from-manifest.js';
export { type GreetingCache, greetingCacheKey, MemoryGreetingCache } from './greeting-cache.js';
export { type McpToolVoiceSettings, mcpToolExecutor } from './mcp-tools.js';
export { type CounterMetric, type LatencyMetric, type LoopMetrics, noopMetrics } from './metrics.js';
export { Pipeline, type Stage, type StageContext } from './pipeline.js';
export {
  type CallSummary,
  createVoiceSession,
  type VoiceProviders,
  type VoiceSession,
  type VoiceSessionOptions,
} from './session.js';
export {
  createTextSession,
  type TextSession,
  type TextSessionEvent,
  type TextSessionOptions,
} from './text-session.js';
export {
  END_CALL_TOOL,
  noTools,
  type ToolDefinition,
  type ToolExecutionOptions,
  type ToolExecutor,
  type ToolOutcome,
  type ToolProgress,
  TRANSFER_CALL_TOOL,
} from './tools.js';
export {
  MemoryTraceSink,
  noopTraceSink,
  type TraceEvent,
  type TraceEventType,
  type TraceSink,
} from './trace.js';
