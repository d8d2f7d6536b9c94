/**
 * server.json is what a registry and a host read before they ever run the package, so it must agree
 * with package.json and with the variables the server really reads.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { EnvSchema } from './config.js';
import { VERSION } from './server.js';

const read = (file: string) => JSON.parse(readFileSync(new URL(`../${file}`, import.meta.url), 'utf8'));
const pkg = read('package.json');
const server = read('server.json');

const Input = z.object({
  name: z.string(),
  description: z.string().min(1),
  isRequired: z.boolean(),
  isSecret: z.boolean(),
});
/** The rules of the registry format (2025-12-11) that a typo most often breaks. */
const ServerJson = z.object({
  $schema: z.literal('https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json'),
  name: z.string().regex(/^[a-zA-Z0-9.-]+\/[a-zA-Z0-9._-]+$/),
  description: z.string().min(1).max(100),
  version: z.string().regex(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/, 'an exact version, never a range'),
  packages: z
    .array(
      z.object({
        registryType: z.literal('npm'),
        identifier: z.string(),
        version: z.string(),
        transport: z.discriminatedUnion('type', [
          z.object({ type: z.literal('stdio') }),
          z.object({ type: z.literal('streamable-http'), url: z.string(), headers: z.array(Input) }),
        ]),
        environmentVariables: z.array(Input),
      }),
    )
    .min(1),
  remotes: z.array(
    z.object({
      type: z.literal('streamable-http'),
      url: z.url({ protocol: /^https$/ }),
      headers: z.array(Input),
    }),
  ),
});

describe('server.json', () => {
  const parsed = ServerJson.safeParse(server);

  it('follows the registry format', () => {
    expect(parsed.success ? [] : parsed.error.issues).toEqual([]);
  });

  it('names the npm package and version this package.json publishes, and the same mcpName', () => {
    expect(server.version).toBe(pkg.version);
    expect(VERSION).toBe(pkg.version);
    expect(pkg.mcpName).toBe(server.name);
    for (const p of server.packages) {
      expect(p).toMatchObject({ identifier: pkg.name, version: pkg.version });
    }
  });

  it('lists the variables the server reads, marking only the token as secret', () => {
    const read = Object.keys(EnvSchema.shape).filter((name) => name.startsWith('ORDER_STATUS_'));
    const [stdio, http] = server.packages;
    const listed = new Set(
      [...stdio.environmentVariables, ...http.environmentVariables].map((v: any) => v.name),
    );
    expect([...listed].sort()).toEqual(read.sort());
    const secrets = [...stdio.environmentVariables, ...http.environmentVariables].filter(
      (v: any) => v.isSecret,
    );
    expect(secrets.map((v: any) => v.name)).toEqual(['ORDER_STATUS_AUTH_TOKEN']);
    expect(http.transport.headers[0]).toMatchObject({
      name: 'Authorization',
      isSecret: true,
      isRequired: true,
    });
  });
});
