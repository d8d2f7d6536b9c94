import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connectStdio, type HttpPlugin, runBin, spawnHttp, textOf } from './test-helpers.js';

const dir = mkdtempSync(path.join(tmpdir(), 'order-status-bin-'));
const running: HttpPlugin[] = [];
afterAll(async () => {
  await Promise.allSettled(running.map((p) => p.stop()));
  rmSync(dir, { recursive: true, force: true });
});

const TOKEN = 'test-token-0123456789abcdef';

describe('the bin over stdio', () => {
  it('serves the tools with no configuration and keeps returns in ORDER_STATUS_DATA_FILE across restarts', async () => {
    const file = path.join(dir, 'stdio-orders.json');
    const first = await connectStdio({ ORDER_STATUS_DATA_FILE: file });
    expect(first.getServerVersion()).toMatchObject({ name: 'order-status', version: '1.0.0' });
    const { tools } = await first.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['list_recent_orders', 'lookup_order', 'request_return']);
    const opened = await first.callTool({
      name: 'request_return',
      arguments: { orderNumber: '204518', reason: 'damaged', idempotencyKey: 'stdio-call-1' },
    });
    expect(opened.isError).toBeFalsy();
    await first.close();

    const second = await connectStdio({ ORDER_STATUS_DATA_FILE: file });
    const order = await second.callTool({ name: 'lookup_order', arguments: { orderNumber: '204518' } });
    expect(textOf(order)).toContain('Return R204518-1 is awaiting item.');
    await second.close();
  });

  it('exits with a message naming the variable when the configuration is wrong', async () => {
    const result = await runBin([], { ORDER_STATUS_TIME_ZONE: 'Mars/Olympus' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('ORDER_STATUS_TIME_ZONE: not an IANA time zone');
  });

  it('prints its usage and version', async () => {
    expect((await runBin(['--help'])).stdout).toContain('Usage: order-status-mcp [--http] [--port N]');
    expect((await runBin(['--version'])).stdout).toBe('1.0.0\n');
    expect((await runBin(['--nope'])).code).toBe(2);
  });
});

describe('the bin over Streamable HTTP', () => {
  it('requires the bearer token, serves the tools and streams progress', async () => {
    const plugin = await spawnHttp({ ORDER_STATUS_AUTH_TOKEN: TOKEN });
    running.push(plugin);
    expect(plugin.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/mcp$/);

    const health = await fetch(plugin.url.replace('/mcp', '/health'));
    expect(await health.json()).toEqual({ status: 'ok' });
    const anonymous = await fetch(plugin.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer /);
    await expect(plugin.connect('wrong-token')).rejects.toThrow();

    const client = await plugin.connect(TOKEN);
    const lookup = await client.callTool({ name: 'lookup_order', arguments: { phone: '512-555-0188' } });
    expect(lookup.structuredContent).toMatchObject({ order: { orderNumber: '204433', status: 'cancelled' } });

    const steps: number[] = [];
    const result = await client.callTool(
      {
        name: 'request_return',
        arguments: { orderNumber: '204518', reason: 'not_as_described', idempotencyKey: 'http-call-1' },
      },
      { onprogress: (p) => steps.push(p.progress) },
    );
    expect(result.isError).toBeFalsy();
    expect(steps).toEqual([1, 2, 3]);
  });

  it('refuses to listen on a public address without a token', async () => {
    const result = await runBin(['--http', '--host', '0.0.0.0', '--port', '0']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Refusing to serve HTTP on 0.0.0.0 without ORDER_STATUS_AUTH_TOKEN');
  });

  it('without a token on loopback, refuses requests whose Host header is not local (DNS rebinding)', async () => {
    const plugin = await spawnHttp();
    running.push(plugin);
    // fetch() will not send a forged Host header; node:http will, as a rebinding browser would.
    const status = (host: string) =>
      new Promise<number | undefined>((resolve, reject) => {
        const req = request(plugin.url.replace('/mcp', '/health'), { headers: { host } }, (res) => {
          res.resume();
          resolve(res.statusCode);
        });
        req.once('error', reject).end();
      });
    expect(await status('evil.example')).toBe(403);
    expect(await status('localhost')).toBe(200);
    const client = await plugin.connect();
    expect((await client.listTools()).tools).toHaveLength(3);
    expect(await plugin.stop()).toBe(0);
  });
});
