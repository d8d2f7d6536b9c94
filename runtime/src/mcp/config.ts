import { z } from 'zod';

/** Header names and values an operator may attach to every request to a remote MCP server. */
const HeadersSchema = z.record(z.string().min(1).max(256), z.string().max(8192));

/**
 * OAuth 2.0 client-credentials grant (RFC 6749 §4.4) against a token endpoint given outright.
 * The host fetches a token, sends it as a bearer and fetches a new one when the server says 401.
 */
export const McpOAuthClientCredentialsSchema = z.strictObject({
  type: z.literal('oauth-client-credentials'),
  tokenUrl: z.url({ protocol: /^https?$/ }),
  clientId: z.string().min(1).max(512),
  clientSecret: z.string().min(1).max(4096),
  scope: z.string().min(1).max(1024).optional(),
});
export type McpOAuthClientCredentials = z.infer<typeof McpOAuthClientCredentialsSchema>;

export const McpStreamableHttpTransportSchema = z.strictObject({
  type: z.literal('streamable-http'),
  url: z.url({ protocol: /^https?$/ }),
  headers: HeadersSchema.optional(),
  auth: McpOAuthClientCredentialsSchema.optional(),
});

export const McpStdioTransportSchema = z.strictObject({
  type: z.literal('stdio'),
  command: z.string().min(1).max(1024),
  args: z.array(z.string().max(4096)).max(256).optional(),
  env: z.record(z.string().min(1).max(256), z.string().max(32_768)).optional(),
});

/**
 * How to reach one MCP server: the `transport` of `POST /v1/mcp-servers`. Streamable HTTP falls
 * back to the legacy HTTP+SSE transport by itself when the server rejects the Streamable HTTP
 * handshake with a 4xx, so there is no separate `sse` type.
 */
export const McpTransportConfigSchema = z.discriminatedUnion('type', [
  McpStreamableHttpTransportSchema,
  McpStdioTransportSchema,
]);
export type McpTransportConfig = z.infer<typeof McpTransportConfigSchema>;
export type McpHttpTransportConfig = z.infer<typeof McpStreamableHttpTransportSchema>;
export type McpStdioTransportConfig = z.infer<typeof McpStdioTransportSchema>;

/**
 * One registered MCP server as the connection manager sees it. `name` is the namespace its tools
 * get (`<name>__<tool>`) and the name manifests refer to; `trusted` is the organization's decision
 * to honour the server's tool annotations.
 */
export const McpServerConfigSchema = z.strictObject({
  id: z.string().min(1),
  organizationId: z.string().min(1),
  name: z.string().min(1).max(64),
  transport: McpTransportConfigSchema,
  trusted: z.boolean().default(false),
  enabled: z.boolean().default(true),
});
export type McpServerConfig = z.infer<typeof McpServerConfigSchema>;
export type McpServerConfigInput = z.input<typeof McpServerConfigSchema>;
