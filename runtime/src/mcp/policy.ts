import { lookup } from 'node:dns/promises';
import { VrmError } from '../errors.js';
import type { McpTransportConfig } from './config.js';
import { type AddressKind, classifyAddress } from './ip.js';

/** The operator's switches for MCP servers (`VRM_ALLOW_STDIO_SERVERS`, `VRM_ALLOW_PRIVATE_URLS`). */
export interface McpPolicy {
  /** stdio servers run a command on this host, so only operators who opt in allow them. */
  allowStdio: boolean;
  /** Allow URLs whose host is (or resolves to) a loopback, private, link-local or reserved address. */
  allowPrivateUrls: boolean;
}

/** Resolves a hostname to every address it has; `dns.lookup` in production, a stub in tests. */
export type HostResolver = (hostname: string) => Promise<string[]>;

/** Resolves with the system resolver, the one `fetch` itself uses, returning all addresses. */
export const systemResolver: HostResolver = async (hostname) => {
  const records = await lookup(hostname, { all: true, verbatim: true });
  return records.map((r) => r.address);
};

/** Reads the two switches from the validated environment config. */
export function policyFromConfig(config: {
  VRM_ALLOW_STDIO_SERVERS: boolean;
  VRM_ALLOW_PRIVATE_URLS: boolean;
}): McpPolicy {
  return { allowStdio: config.VRM_ALLOW_STDIO_SERVERS, allowPrivateUrls: config.VRM_ALLOW_PRIVATE_URLS };
}

const refused = (code: string, message: string, details?: unknown) =>
  new VrmError(code, message, { status: 403, details });

/** A hostname that names this machine without any DNS lookup (RFC 6761 reserves `.localhost`). */
function isLocalName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost') || name === 'localhost.localdomain';
}

/**
 * Checks one URL against the policy: http/https only, and unless private URLs are allowed, the
 * host must not be, or resolve to, a non-public address. Every resolved address is checked, since
 * a hostname with one public and one private record would otherwise let requests reach the
 * private one. The WHATWG URL parser already turns decimal, hex and octal IPv4 spellings
 * (`http://2130706433/`, `http://0x7f.1/`) into dotted quads, so they are classified as such.
 */
export async function assertUrlAllowed(
  rawUrl: string,
  policy: McpPolicy,
  resolve: HostResolver = systemResolver,
): Promise<URL> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw refused('mcp_url_invalid', 'The MCP server URL is not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw refused('mcp_url_scheme_refused', `MCP server URLs must use http or https, not ${url.protocol}`);
  }
  if (url.username || url.password) {
    throw refused(
      'mcp_url_credentials_refused',
      'Put credentials in headers or auth, not in the MCP server URL',
    );
  }
  if (policy.allowPrivateUrls) return url;
  const host = url.hostname;
  const privateRefusal = (address: string, kind: AddressKind) =>
    refused(
      'mcp_url_private_refused',
      `The MCP server URL points to a ${kind} address (${address}); set VRM_ALLOW_PRIVATE_URLS=1 to allow it`,
      { host, address, kind },
    );
  if (isLocalName(host)) throw privateRefusal(host, 'loopback');
  const literal = classifyAddress(host);
  if (literal !== undefined) {
    if (literal !== 'public') throw privateRefusal(host, literal);
    return url;
  }
  let addresses: string[];
  try {
    addresses = await resolve(host);
  } catch (error) {
    throw new VrmError('mcp_url_unresolvable', `The MCP server host ${host} does not resolve`, {
      status: 400,
      retryable: true,
      cause: error,
    });
  }
  if (addresses.length === 0) {
    throw new VrmError('mcp_url_unresolvable', `The MCP server host ${host} has no addresses`, {
      status: 400,
    });
  }
  for (const address of addresses) {
    const kind = classifyAddress(address) ?? 'reserved';
    if (kind !== 'public') throw privateRefusal(address, kind);
  }
  return url;
}

/**
 * Checks a transport against the operator policy before anything is spawned or fetched. Called on
 * registration (so the API answers 403 early) and again before every connect, because DNS answers
 * change over time.
 */
export async function assertTransportAllowed(
  transport: McpTransportConfig,
  policy: McpPolicy,
  resolve: HostResolver = systemResolver,
): Promise<void> {
  if (transport.type === 'stdio') {
    if (!policy.allowStdio) {
      throw refused(
        'mcp_stdio_refused',
        'stdio MCP servers run commands on this host; the operator must set VRM_ALLOW_STDIO_SERVERS=1',
      );
    }
    return;
  }
  await assertUrlAllowed(transport.url, policy, resolve);
  if (transport.auth) await assertUrlAllowed(transport.auth.tokenUrl, policy, resolve);
}
