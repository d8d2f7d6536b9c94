/**
 * Test helpers: real SDK clients over the in-memory pair, over stdio (the bin spawned with `node`)
 * and over Streamable HTTP (the bin with `--http --port 0`). Not part of the published package.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Client, InMemoryTransport, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { createOrderStatusServer } from './server.js';
import { OrderStore } from './store.js';

export const BIN = fileURLToPath(new URL('../bin/order-status-mcp.js', import.meta.url));
const CLIENT_INFO = { name: 'order-status-tests', version: '0.0.0' };

export const SETTINGS = { timeZone: 'UTC', defaultCountryCode: '1', returnWindowDays: 30 };

/** The environment a host gives a stdio server: PATH and HOME, plus the server's own settings. */
export function minimalEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const key of ['PATH', 'HOME', 'TMPDIR']) {
    const value = process.env[key];
    if (value !== undefined) env[key] = value;
  }
  return { ...env, ...extra };
}

/** A client connected to an in-process server over demo orders (or the store given). */
export async function connectInMemory(store?: OrderStore) {
  const orders = store ?? (await OrderStore.open({ returnWindowDays: 30, timeZone: 'UTC' })).store;
  const server = createOrderStatusServer({ store: orders, settings: SETTINGS });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client(CLIENT_INFO);
  await client.connect(clientSide);
  return { client, store: orders };
}

/** Spawns the bin with `node` and connects over stdio, as an MCP host does. */
export async function connectStdio(env: Record<string, string> = {}) {
  const client = new Client(CLIENT_INFO);
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: [BIN],
      env: minimalEnv(env),
      stderr: 'pipe',
    }),
  );
  return client;
}

/** Runs the bin to its exit and collects stdout and stderr. */
export function runBin(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: minimalEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface HttpPlugin {
  url: string;
  child: ChildProcess;
  connect(token?: string): Promise<Client>;
  stop(): Promise<number | null>;
}

/** Spawns `node bin --http --port 0` on loopback and waits for its "listening on" line. */
export async function spawnHttp(env: Record<string, string> = {}): Promise<HttpPlugin> {
  const child = spawn(process.execPath, [BIN, '--http', '--port', '0', '--host', '127.0.0.1'], {
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
    child.once('exit', (code) => reject(new Error(`exited with ${code} before listening:\n${stderr}`)));
  });
  const clients: Client[] = [];
  return {
    url,
    child,
    async connect(token) {
      const client = new Client(CLIENT_INFO);
      await client.connect(
        new StreamableHTTPClientTransport(new URL(url), {
          ...(token !== undefined && { requestInit: { headers: { Authorization: `Bearer ${token}` } } }),
        }),
      );
      clients.push(client);
      return client;
    },
    async stop() {
      await Promise.allSettled(clients.map((c) => c.close()));
      if (child.exitCode !== null) return child.exitCode;
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** The text of a tool result's first content block. */
export function textOf(result: { content?: unknown }): string {
  const [first] = (result.content ?? []) as Array<{ type: string; text?: string }>;
  return first?.type === 'text' ? (first.text ?? '') : '';
}
