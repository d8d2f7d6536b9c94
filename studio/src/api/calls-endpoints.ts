import type { Http } from './http.js';
import type {
  Analytics,
  CallDetail,
  CallEvent,
  CallFilters,
  CallSummary,
  McpServer,
  McpServerDetail,
  McpTool,
  McpTransportInput,
  TextReply,
  TextSession,
  ToolCallResult,
} from './types.js';

const enc = encodeURIComponent;

/** MCP servers of the organization and their tools. */
export const mcpApi = (http: Http) => ({
  list: () => http.get<{ servers: McpServer[] }>('/v1/mcp-servers').then((r) => r.servers),
  get: (id: string) => http.get<McpServerDetail>(`/v1/mcp-servers/${enc(id)}`),
  create: (body: { name: string; transport: McpTransportInput; trusted?: boolean; enabled?: boolean }) =>
    http.post<McpServerDetail>('/v1/mcp-servers', body),
  update: (id: string, body: { trusted?: boolean; enabled?: boolean; transport?: McpTransportInput }) =>
    http.patch<McpServerDetail>(`/v1/mcp-servers/${enc(id)}`, body),
  remove: (id: string) => http.delete(`/v1/mcp-servers/${enc(id)}`),
  refresh: (id: string) => http.post<McpServerDetail>(`/v1/mcp-servers/${enc(id)}/refresh`),
  approve: (id: string, tool: string) =>
    http.post<McpTool>(`/v1/mcp-servers/${enc(id)}/tools/${enc(tool)}/approve`),
  setToolEnabled: (id: string, tool: string, enabled: boolean) =>
    http.patch<McpTool>(`/v1/mcp-servers/${enc(id)}/tools/${enc(tool)}`, { enabled }),
  call: (id: string, tool: string, args: Record<string, unknown>, confirm: boolean) =>
    http.post<ToolCallResult>(`/v1/mcp-servers/${enc(id)}/tools/${enc(tool)}/call`, {
      arguments: args,
      confirm,
    }),
});

/** Calls, their traces, text sessions and the dashboard's figures. */
export const callsApi = (http: Http) => ({
  list: (filters: CallFilters) =>
    http.get<{ calls: CallSummary[]; nextCursor: string | null }>('/v1/calls', { query: { ...filters } }),
  get: (id: string) => http.get<CallDetail>(`/v1/calls/${enc(id)}`),
  events: (id: string, after = 0) =>
    http.get<{ events: CallEvent[]; nextAfter: number | null }>(`/v1/calls/${enc(id)}/events`, {
      query: { after, limit: 5000 },
    }),
  startSession: (agent: string, body: { version?: number; variables?: Record<string, string> } = {}) =>
    http.post<TextSession>(`/v1/agents/${enc(agent)}/sessions`, body),
  send: (callId: string, text: string, keypad = false) =>
    http.post<TextReply>(`/v1/calls/${enc(callId)}/messages`, keypad ? { text, keypad } : { text }),
  end: (callId: string) => http.post<void>(`/v1/calls/${enc(callId)}/end`),
  analytics: (query: { from?: string; to?: string; agent?: string; interval?: 'day' | 'hour' }) =>
    http.get<Analytics>('/v1/analytics', { query }),
});
