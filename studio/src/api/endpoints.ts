import type { Http } from './http.js';
import type {
  Agent,
  AgentDiff,
  AgentSummary,
  ApiKey,
  CreatedApiKey,
  JsonSchema,
  Me,
  Member,
  Role,
  SavedAgent,
  Session,
  ValidationResult,
  VersionDetail,
  VersionSummary,
} from './types.js';

const enc = encodeURIComponent;

/** Sign-in, sign-up, sessions and organizations. */
export const authApi = (http: Http) => ({
  signup: (body: { email: string; password: string; organization: string; name?: string }) =>
    http.post<Session>('/v1/auth/signup', body, { anonymous: true }),
  login: (body: { email: string; password: string; totp?: string }) =>
    http.post<Session>('/v1/auth/login', body, { anonymous: true }),
  logout: (refreshToken: string) => http.post<void>('/v1/auth/logout', { refreshToken }, { anonymous: true }),
  me: () => http.get<Me>('/v1/auth/me'),
  switchOrganization: (organizationId: string) => http.post<Session>('/v1/auth/switch', { organizationId }),
  createOrganization: (name: string) => http.post<Session>('/v1/organizations', { name }),
});

/** Members and API keys of the current organization. */
export const organizationApi = (http: Http) => ({
  members: () => http.get<{ members: Member[] }>('/v1/members').then((r) => r.members),
  addMember: (email: string, role: Role) => http.post<Member>('/v1/members', { email, role }),
  setRole: (userId: string, role: Role) => http.patch<Member>(`/v1/members/${enc(userId)}`, { role }),
  removeMember: (userId: string) => http.delete(`/v1/members/${enc(userId)}`),
  apiKeys: () => http.get<{ apiKeys: ApiKey[] }>('/v1/api-keys').then((r) => r.apiKeys),
  createApiKey: (body: { name: string; role?: Role; expiresInDays?: number }) =>
    http.post<CreatedApiKey>('/v1/api-keys', body),
  revokeApiKey: (id: string) => http.delete(`/v1/api-keys/${enc(id)}`),
});

/** Agents, their versions and manifest validation. */
export const agentsApi = (http: Http) => ({
  schema: () => http.get<JsonSchema>('/v1/manifests/schema', { anonymous: true }),
  validate: (yaml: string, signal?: AbortSignal) =>
    http.request<ValidationResult>('POST', '/v1/manifests/validate', { yaml, signal }),
  list: () => http.get<{ agents: AgentSummary[] }>('/v1/agents').then((r) => r.agents),
  get: (agent: string) => http.get<Agent>(`/v1/agents/${enc(agent)}`),
  create: (yaml: string) => http.request<SavedAgent>('POST', '/v1/agents', { yaml }),
  saveVersion: (agent: string, yaml: string) =>
    http.request<SavedAgent>('PUT', `/v1/agents/${enc(agent)}`, { yaml }),
  versions: (agent: string) =>
    http.get<{ versions: VersionSummary[] }>(`/v1/agents/${enc(agent)}/versions`).then((r) => r.versions),
  version: (agent: string, version: number) =>
    http.get<VersionDetail>(`/v1/agents/${enc(agent)}/versions/${version}`),
  diff: (agent: string, from: number, to: number) =>
    http.get<AgentDiff>(`/v1/agents/${enc(agent)}/diff`, { query: { from, to } }),
  publish: (agent: string, version: number) =>
    http.post<AgentSummary>(`/v1/agents/${enc(agent)}/publish`, { version }),
  rollback: (agent: string, version?: number) =>
    http.post<AgentSummary>(`/v1/agents/${enc(agent)}/rollback`, version === undefined ? {} : { version }),
  remove: (agent: string) => http.delete(`/v1/agents/${enc(agent)}`),
});

export type AuthApi = ReturnType<typeof authApi>;
export type OrganizationApi = ReturnType<typeof organizationApi>;
export type AgentsApi = ReturnType<typeof agentsApi>;
