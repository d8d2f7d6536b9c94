/**
 * The plugin registered with a running VRM through its public API, as docs/plugins.md describes:
 * stdio transport (the operator allows it with VRM_ALLOW_STDIO_SERVERS=1), tool discovery, and
 * "try a tool" calls, with and without confirmation.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../runtime/src/kernel/config.js';
import { createLogger } from '../../../runtime/src/kernel/logger.js';
import { type RunningServer, startServer } from '../../../runtime/src/server.js';
import { BIN } from './test-helpers.js';

describe('registered with VRM over stdio', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'order-status-vrm-'));
  let vrm: RunningServer;
  let token: string;

  const api = async (method: string, route: string, body?: unknown) => {
    const res = await fetch(`${vrm.url}${route}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token && { authorization: `Bearer ${token}` }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as any };
  };

  beforeAll(async () => {
    vrm = await startServer({
      config: loadConfig({
        PORT: '0',
        HOST: '127.0.0.1',
        VRM_DATA_DIR: path.join(dir, 'vrm'),
        VRM_SECRET_KEY: randomBytes(32).toString('base64'),
        VRM_PASSWORD_COST: '10',
        VRM_ALLOW_STDIO_SERVERS: '1',
      }),
      log: createLogger('silent'),
    });
    const signup = await api('POST', '/v1/auth/signup', {
      email: 'owner@shop.example.com',
      password: 'correct horse battery staple',
      organization: 'Example Shop',
    });
    expect(signup.status).toBe(201);
    token = signup.body.token;
  });
  afterAll(async () => {
    await vrm?.stop(1000);
    rmSync(dir, { recursive: true, force: true });
  });

  it('connects, lists the namespaced tools and runs them, asking for confirmation as the annotations say', async () => {
    const created = await api('POST', '/v1/mcp-servers', {
      name: 'orders',
      transport: {
        type: 'stdio',
        command: process.execPath,
        args: [BIN],
        env: { ORDER_STATUS_DATA_FILE: path.join(dir, 'orders.json') },
      },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'orders', status: 'connected', trusted: false });
    expect(created.body.transport.envKeys).toEqual(['ORDER_STATUS_DATA_FILE']);
    const tools = Object.fromEntries(created.body.tools.map((t: any) => [t.name, t]));
    expect(tools.lookup_order).toMatchObject({
      namespacedName: 'orders__lookup_order',
      approval: 'approved',
      enabled: true,
      annotations: { readOnlyHint: true, destructiveHint: false },
    });
    expect(tools.request_return.namespacedName).toBe('orders__request_return');
    const id = created.body.id;

    const listed = await api('GET', `/v1/mcp-servers/${id}/tools`);
    expect(listed.body.tools.map((t: any) => t.name).sort()).toEqual([
      'list_recent_orders',
      'lookup_order',
      'request_return',
    ]);

    // Untrusted: annotations are ignored, so even a lookup needs an explicit confirmation.
    const lookup = { arguments: { orderNumber: '204577' } };
    const unconfirmed = await api('POST', `/v1/mcp-servers/${id}/tools/lookup_order/call`, lookup);
    expect(unconfirmed.status).toBe(409);
    expect(unconfirmed.body.error.code).toBe('confirmation_required');

    // Trusted: the read-only annotation is honoured, the destructive one still asks.
    expect((await api('PATCH', `/v1/mcp-servers/${id}`, { trusted: true })).status).toBe(200);
    const found = await api('POST', `/v1/mcp-servers/${id}/tools/lookup_order/call`, lookup);
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({
      status: 'ok',
      isError: false,
      structured: { order: { orderNumber: '204577', status: 'shipped' } },
    });
    expect(found.body.text).toContain('shipped with USPS');

    const returnCall = {
      arguments: {
        orderNumber: '204518',
        items: [{ sku: 'SHOE-TR-42', quantity: 1 }],
        reason: 'damaged',
        idempotencyKey: 'studio-try-1',
      },
    };
    const refused = await api('POST', `/v1/mcp-servers/${id}/tools/request_return/call`, returnCall);
    expect(refused.status).toBe(409);
    const confirmed = await api('POST', `/v1/mcp-servers/${id}/tools/request_return/call`, {
      ...returnCall,
      confirm: true,
    });
    expect(confirmed.body).toMatchObject({ status: 'ok', structured: { return: { returnId: 'R204518-1' } } });

    const failed = await api('POST', `/v1/mcp-servers/${id}/tools/request_return/call`, {
      arguments: { orderNumber: '204577', reason: 'damaged', idempotencyKey: 'studio-try-2' },
      confirm: true,
    });
    expect(failed.body).toMatchObject({ status: 'error', isError: true });
    expect(failed.body.text).toContain('is still on its way');
  });

  it('disables a tool whose definition changed until an admin approves it again', async () => {
    const [server] = (await api('GET', '/v1/mcp-servers')).body.servers;
    // request_return's description names the return window, so changing it changes the definition
    // — exactly what a vendor's update that rewords a description or a schema does.
    const updated = await api('PATCH', `/v1/mcp-servers/${server.id}`, {
      transport: {
        type: 'stdio',
        command: process.execPath,
        args: [BIN],
        env: { ORDER_STATUS_DATA_FILE: path.join(dir, 'orders.json'), ORDER_STATUS_RETURN_WINDOW_DAYS: '14' },
      },
    });
    const tools = Object.fromEntries(updated.body.tools.map((t: any) => [t.name, t]));
    expect(tools.request_return).toMatchObject({ approval: 'changed' });
    expect(tools.request_return.description).toContain('within 14 days of delivery');
    expect(tools.request_return.hash).not.toBe(tools.request_return.approvedHash);
    expect(tools.lookup_order.approval).toBe('approved');

    const call = {
      arguments: { orderNumber: '204518', reason: 'damaged', idempotencyKey: 'studio-try-3' },
      confirm: true,
    };
    const disabled = await api('POST', `/v1/mcp-servers/${server.id}/tools/request_return/call`, call);
    expect(disabled.body).toMatchObject({ status: 'disabled', isError: true });
    const audit = await api('GET', '/v1/audit-log?limit=50');
    expect(audit.body.entries.map((e: any) => e.action)).toContain('mcp_tool.changed');

    const approved = await api('POST', `/v1/mcp-servers/${server.id}/tools/request_return/approve`);
    expect(approved.body).toMatchObject({ approval: 'approved', approvedHash: tools.request_return.hash });
    const runs = await api('POST', `/v1/mcp-servers/${server.id}/tools/request_return/call`, call);
    expect(runs.body).toMatchObject({ status: 'ok', structured: { return: { returnId: 'R204518-2' } } });
  });
});
