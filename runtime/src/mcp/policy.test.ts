import { describe, expect, it } from 'vitest';
import { VrmError } from '../errors.js';
import type { McpTransportConfig } from './config.js';
import { classifyAddress } from './ip.js';
import { assertTransportAllowed, assertUrlAllowed, type HostResolver, type McpPolicy } from './policy.js';

const strict: McpPolicy = { allowStdio: false, allowPrivateUrls: false };
const noDns: HostResolver = async (host) => {
  throw new Error(`unexpected lookup of ${host}`);
};
const stubDns =
  (answers: Record<string, string[]>): HostResolver =>
  async (host) => {
    const found = answers[host];
    if (!found) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return found;
  };

async function codeOf(promise: Promise<unknown>): Promise<string | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(VrmError);
    return (error as VrmError).code;
  }
}

describe('classifyAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['8.8.8.8', 'public'],
    ['172.32.0.1', 'public'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456::1', 'unique-local'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:8.8.8.8', 'public'],
    ['64:ff9b::a9fe:a9fe', 'link-local'],
    ['2002:c0a8:0101::1', 'private'],
    ['ff02::1', 'multicast'],
    ['2606:4700:4700::1111', 'public'],
  ])('%s is %s', (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });

  it('returns undefined for hostnames', () => {
    expect(classifyAddress('example.com')).toBeUndefined();
  });
});

describe('assertUrlAllowed', () => {
  it.each([
    'http://127.0.0.1:3000/mcp',
    'http://localhost/mcp',
    'http://api.localhost/mcp',
    'http://0.0.0.0/mcp',
    'http://[::1]/mcp',
    'http://[::ffff:127.0.0.1]/mcp',
    'http://[fd00::1]/mcp',
    'http://[fe80::1]/mcp',
    'http://2130706433/mcp',
    'http://0x7f000001/mcp',
    'http://0x7f.1/mcp',
    'http://017700000001/mcp',
    'http://169.254.169.254/latest/meta-data',
    'http://10.0.0.5/mcp',
  ])('refuses the private literal %s without a DNS lookup', async (url) => {
    expect(await codeOf(assertUrlAllowed(url, strict, noDns))).toBe('mcp_url_private_refused');
  });

  it('allows a public literal', async () => {
    await expect(assertUrlAllowed('https://8.8.8.8/mcp', strict, noDns)).resolves.toBeInstanceOf(URL);
  });

  it('refuses a hostname when any of its addresses is private', async () => {
    const dns = stubDns({ 'crm.example.com': ['93.184.216.34', '10.0.0.7'] });
    expect(await codeOf(assertUrlAllowed('https://crm.example.com/mcp', strict, dns))).toBe(
      'mcp_url_private_refused',
    );
  });

  it('refuses a hostname that resolves to an IPv4-mapped loopback address', async () => {
    const dns = stubDns({ 'rebind.example.com': ['::ffff:127.0.0.1'] });
    expect(await codeOf(assertUrlAllowed('https://rebind.example.com/mcp', strict, dns))).toBe(
      'mcp_url_private_refused',
    );
  });

  it('allows a hostname whose addresses are all public', async () => {
    const dns = stubDns({ 'crm.example.com': ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946'] });
    const url = await assertUrlAllowed('https://crm.example.com/mcp', strict, dns);
    expect(url.hostname).toBe('crm.example.com');
  });

  it('reports a host that does not resolve', async () => {
    expect(await codeOf(assertUrlAllowed('https://nowhere.example.com/mcp', strict, stubDns({})))).toBe(
      'mcp_url_unresolvable',
    );
  });

  it.each(['ftp://example.com/mcp', 'file:///etc/passwd', 'javascript:alert(1)'])(
    'refuses the scheme of %s',
    async (url) => {
      expect(await codeOf(assertUrlAllowed(url, { allowStdio: true, allowPrivateUrls: true }, noDns))).toBe(
        'mcp_url_scheme_refused',
      );
    },
  );

  it('allows private addresses when the operator switch is on', async () => {
    const open: McpPolicy = { allowStdio: false, allowPrivateUrls: true };
    await expect(assertUrlAllowed('http://127.0.0.1:3001/mcp', open, noDns)).resolves.toBeInstanceOf(URL);
  });
});

describe('assertTransportAllowed', () => {
  it('refuses stdio servers without VRM_ALLOW_STDIO_SERVERS', async () => {
    const transport: McpTransportConfig = { type: 'stdio', command: 'node', args: ['server.js'] };
    expect(await codeOf(assertTransportAllowed(transport, strict, noDns))).toBe('mcp_stdio_refused');
    await expect(
      assertTransportAllowed(transport, { allowStdio: true, allowPrivateUrls: false }, noDns),
    ).resolves.toBeUndefined();
  });

  it('checks the OAuth token URL as well as the server URL', async () => {
    const transport: McpTransportConfig = {
      type: 'streamable-http',
      url: 'https://8.8.8.8/mcp',
      auth: {
        type: 'oauth-client-credentials',
        tokenUrl: 'http://169.254.169.254/token',
        clientId: 'a',
        clientSecret: 'b',
      },
    };
    expect(await codeOf(assertTransportAllowed(transport, strict, noDns))).toBe('mcp_url_private_refused');
  });
});
