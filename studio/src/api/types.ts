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
