/**
 * Helpers for plugin tests: real clients over the in-memory pair, a spawned stdio bin and a
 * spawned HTTP bin, and databases on every test driver. Imported from `@vrm/plugin-kit/testing`,
 * never from production code.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Client, InMemoryTransport, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import type { McpServer } from '@modelcontextprotocol/server';

export {
  type CreateTestPostgresDatabaseOptions,
  createTestPostgresDatabase,
  openTestPluginDatabase,
  type TestDriver,
  type TestPostgresDatabase,
  testDrivers,
} from './test-database.js';

const CLIENT_INFO = { name: 'vrm-plugin-tests', version: '0.0.0' };

/** Connects a client to an in-process server through the SDK's linked in-memory transports. */
export async function connectInMemory(server: McpServer): Promise<Client> {
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await server.connect(serverTransport);
  const client = new Client(CLIENT_INFO);
  await client.connect(clientTransport);
  return client;
}

/** A fresh temporary directory, removed by the returned function. */
export function makeTempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), `${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The environment a spawned plugin gets: PATH and HOME only, plus what the test adds. */
export function minimalEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of ['PATH', 'HOME', 'SystemRoot', 'TMPDIR']) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  return { ...env, ...extra };
}

/** Spawns a plugin bin with `node` and connects a client over stdio. */
export async function connectStdio(
  bin: string,
  options: { env?: Record<string, string>; cwd?: string } = {},
) {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [bin],
    env: minimalEnv(options.env),
    ...(options.cwd !== undefined && { cwd: options.cwd }),
    stderr: 'pipe',
  });
  const client = new Client(CLIENT_INFO);
  await client.connect(transport);
  return client;
}

export interface SpawnedHttpPlugin {
  /** The MCP endpoint, `http://127.0.0.1:<port>/mcp`. */
  url: string;
  child: ChildProcess;
  /** Connects a client, sending `token` as a bearer token when given. */
  connect(token?: string): Promise<Client>;
  stop(): Promise<void>;
}

/** Collects a child's stderr and resolves with its exit code. */
export function runToExit(bin: string, args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [bin, ...args], {
    env: minimalEnv(env),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  return new Promise<{ code: number | null; stderr: string }>((resolve) => {
    child.once('exit', (code) => resolve({ code, stderr }));
  });
}

/** Spawns `node <bin> --http --port 0` on loopback and waits for its "listening on" line. */
export async function spawnHttpPlugin(bin: string, env: Record<string, string>): Promise<SpawnedHttpPlugin> {
  const child = spawn(process.execPath, [bin, '--http', '--port', '0', '--host', '127.0.0.1'], {
    env: minimalEnv(env),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      const match = /listening on (\S+)/.exec(stderr);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', (code) =>
      reject(new Error(`plugin exited with ${code} before listening:\n${stderr}`)),
    );
  });
  const clients: Client[] = [];
  return {
    url,
    child,
    async connect(token?: string) {
      const transport = new StreamableHTTPClientTransport(new URL(url), {
        ...(token !== undefined && { requestInit: { headers: { Authorization: `Bearer ${token}` } } }),
      });
      const client = new Client(CLIENT_INFO);
      await client.connect(transport);
      clients.push(client);
      return client;
    },
    async stop() {
      await Promise.allSettled(clients.map((c) => c.close()));
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** The MCP Inspector CLI installed at the repository root (`npx mcp-inspector` resolves to it). */
export const INSPECTOR_BIN = fileURLToPath(
  new URL('../../../node_modules/.bin/mcp-inspector', import.meta.url),
);

/**
 * Runs `mcp-inspector --cli node <bin> <args…>` from `cwd` with a minimal environment (no plugin
 * configuration) and parses its JSON output.
 */
export async function runInspector(bin: string, cwd: string, args: string[]): Promise<unknown> {
  const { stdout } = await promisify(execFile)(INSPECTOR_BIN, ['--cli', 'node', bin, ...args], {
    cwd,
    env: minimalEnv(),
  });
  return JSON.parse(stdout);
}
