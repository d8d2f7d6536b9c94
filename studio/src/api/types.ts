/** Response shapes of the VRM REST API (docs/api.md), as the studio uses them. */

export type Role = 'owner' | 'admin' | 'builder' | 'viewer';

export interface User {
  id: string;
  email: string;
  name: string | null;
  mfaEnabled: boolean;
}

export interface Organization {
  id: string;
  name: string;
  slug: string;
}

/** Signup, login, refresh, switch and create-organization all answer with a session. */
export interface Session {
  token: string;
  refreshToken: string;
  expiresIn: number;
  user: User;
  organization: Organization;
  role: Role;
}

export interface Me {
  principal: { kind: string; role: Role };
  user: User | null;
  organization: Organization & { createdAt?: string };
  organizations: (Organization & { role: Role })[];
}

export interface Member {
  userId: string;
  email: string;
  name: string | null;
  role: Role;
  since: string;
}

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  role: Role;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
}

export interface CreatedApiKey extends ApiKey {
  /** The secret; the API shows it only in this response. */
  key: string;
}

export interface ManifestProblem {
  file: string;
  line: number;
  col: number;
  path: string[];
  code: string;
  message: string;
}

export interface ValidationResult {
  valid: boolean;
  hash?: string;
  problems: ManifestProblem[];
}

export interface AgentSummary {
  id: string;
  name: string;
  description: string | null;
  liveVersion: number;
  latestVersion: number;
  createdAt: string;
  updatedAt: string;
  callsLast7Days: number;
  lastCallAt: string | null;
}

export interface VersionSummary {
  version: number;
  hash: string;
  createdAt: string;
  createdBy: string | null;
  publishedAt: string | null;
  live: boolean;
}

export interface VersionDetail extends VersionSummary {
  yaml: string;
  manifest: Record<string, unknown>;
}

export interface Agent extends Omit<AgentSummary, 'callsLast7Days' | 'lastCallAt'> {
  live: VersionDetail;
}

/** `POST /v1/agents` and `PUT /v1/agents/:agent`: the agent with the version just stored. */
export interface SavedAgent extends Omit<AgentSummary, 'callsLast7Days' | 'lastCallAt'> {
  version: VersionSummary;
}

export interface DiffHunk {
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  lines: string[];
}

export interface AgentDiff {
  from: { version: number; yaml: string };
  to: { version: number; yaml: string };
  patch: string;
  hunks: DiffHunk[];
}

/** A JSON Schema document (the manifest's, an MCP tool's input schema). */
export type JsonSchema = Record<string, unknown>;

export type McpStatus = 'idle' | 'connecting' | 'connected' | 'failing' | 'disabled';

/** A transport as the API shows it: secrets replaced by their names. */
export type McpTransportView =
  | { type: 'streamable-http'; url: string; headerNames?: string[]; auth?: Record<string, unknown> }
  | { type: 'stdio'; command: string; args?: string[]; envKeys?: string[] };

export type McpTransportInput =
  | { type: 'streamable-http'; url: string; headers?: Record<string, string> }
  | { type: 'stdio'; command: string; args?: string[]; env?: Record<string, string> };

export interface McpToolAnnotations {
  title?: string;
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

export interface McpTool {
  name: string;
  namespacedName: string;
  title: string | null;
  description: string;
  inputSchema: JsonSchema;
  outputSchema: JsonSchema | null;
  annotations: McpToolAnnotations | null;
  hash: string;
  approval: 'approved' | 'changed' | 'pending';
  approvedHash: string | null;
  enabled: boolean;
}

export interface McpServer {
  id: string;
  name: string;
  transport: McpTransportView;
  trusted: boolean;
  enabled: boolean;
  status: McpStatus;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
  toolCount?: number;
}

export interface McpServerDetail extends McpServer {
  tools: McpTool[];
}

export interface ToolCallResult {
  text: string;
  structured?: unknown;
  isError: boolean;
  status: string;
}

export type CallStatus = 'active' | 'completed' | 'failed';
export type CallChannel = 'twilio' | 'browser' | 'text';

export interface CallSummary {
  id: string;
  agentId: string | null;
  agentName: string | null;
  agentVersion: number | null;
  channel: CallChannel;
  fromNumber: string | null;
  toNumber: string | null;
  status: CallStatus;
  startedAt: string;
  endedAt: string | null;
  durationMs: number | null;
  endedReason: string | null;
}

/** Per-turn latency figures from `turn.metrics`. */
export interface TurnMetrics {
  turnId: number;
  at: string;
  endpointingMs?: number;
  sttMs?: number;
  llmTtftMs?: number;
  ttsTtfbMs?: number;
  voiceToVoiceMs?: number;
}

export interface CallDetail extends CallSummary {
  turns: TurnMetrics[];
  counts: { events: number; interruptions: number; toolCalls: number; errors: number; fallbacks: number };
}

export interface CallEvent {
  callId: string;
  seq: number;
  type: string;
  turnId: number | null;
  at: string;
  /** Milliseconds since the call started. */
  offsetMs: number;
  data: Record<string, unknown>;
}

export interface CallFilters {
  agent?: string;
  status?: CallStatus | '';
  endedReason?: string;
  channel?: CallChannel | '';
  from?: string;
  to?: string;
  limit?: number;
  cursor?: string;
}

export interface TextSession {
  callId: string;
  agentId: string;
  agentVersion: number;
  greeting: string | null;
  missingTools: string[];
}

export interface TextReply {
  text: string;
  toolCalls: { name: string; arguments: unknown; ok: boolean; result: string }[];
  ended: boolean;
}

export interface Analytics {
  volume: {
    bucket: string;
    calls: number;
    completed: number;
    failed: number;
    avgDurationMs: number | null;
  }[];
  outcomes: { reason: string | null; calls: number }[];
  latency: { bucket: string; turns: number; p50: number | null; p95: number | null; p99: number | null }[];
}

/** Where a server lives, for display: its URL or its command line. */
export function transportTarget(transport: McpTransportView): string {
  return transport.type === 'stdio'
    ? [transport.command, ...(transport.args ?? [])].join(' ')
    : transport.url;
}
