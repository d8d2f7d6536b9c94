import { afterEach, describe, expect, it } from 'vitest';
import type { McpHostEvent } from './events.js';
import { createTestManager, eventually, isAlive, testServerStdio } from './fixtures/harness.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function setup(overrides: Parameters<typeof createTestManager>[0] = {}) {
  const events: McpHostEvent[] = [];
  const made = createTestManager({ onEvent: (e) => events.push(e), ...overrides });
  cleanups.push(() => made.manager.shutdown());
  made.manager.register({ id: 's1', organizationId: 'org-1', name: 'crm', transport: testServerStdio() });
  return { ...made, events };
}

async function serverPid(manager: ReturnType<typeof setup>['manager']): Promise<number> {
  return Number((await manager.callTool('s1', 'whoami', {})).text);
}

describe('McpConnectionManager', () => {
  it('connects lazily on first use and reuses one session across calls', async () => {
    const { manager, statuses } = setup();
    expect(manager.status('s1')).toEqual({ state: 'idle' });
    const first = await serverPid(manager);
    const second = await serverPid(manager);
    expect(first).toBe(second);
    expect(statuses.map((s) => s.status.state)).toEqual(['connecting', 'connected']);
  });

  it('reconnects a stdio server that crashed mid-session', async () => {
    const { manager, statuses } = setup();
    const pid = await serverPid(manager);
    process.kill(pid, 'SIGKILL');
    await eventually(() => statuses.some((s) => s.status.state === 'failing'));
    await eventually(() => manager.status('s1')?.state === 'connected' && manager.status('s1'));
    const newPid = await serverPid(manager);
    expect(newPid).not.toBe(pid);
    expect((await manager.callTool('s1', 'lookup', { query: 'Ada' })).text).toBe('found Ada');
  });

  it('times out a hung tool with a result the model can read', async () => {
    const { manager } = setup();
    await serverPid(manager);
    const result = await manager.callTool('s1', 'hang', {}, { timeoutMs: 200 });
    expect(result).toMatchObject({ isError: true, status: 'timeout' });
    expect(result.text).toMatch(/did not answer within 0.2 seconds/);
    // The server was told to stop working on it.
    await eventually(async () => (await manager.callTool('s1', 'cancellations', {})).text === '1');
  });

  it('cancels a call on abort (barge-in) and tells it apart from a timeout', async () => {
    const { manager } = setup();
    await serverPid(manager);
    const controller = new AbortController();
    const pending = manager.callTool('s1', 'hang', {}, { signal: controller.signal, timeoutMs: 5_000 });
    setTimeout(() => controller.abort(), 50);
    const result = await pending;
    expect(result).toMatchObject({ isError: true, status: 'cancelled' });
    await eventually(async () => (await manager.callTool('s1', 'cancellations', {})).text === '1');
  });

  it('returns tool failures and unknown tools as isError results', async () => {
    const { manager } = setup();
    const failed = await manager.callTool('s1', 'fail', { reason: 'no such customer' });
    expect(failed).toMatchObject({ isError: true, status: 'error', text: 'failed: no such customer' });
    const unknown = await manager.callTool('s1', 'nope', {});
    expect(unknown).toMatchObject({ isError: true, status: 'not_found' });
    const invalid = await manager.callTool('s1', 'lookup', { query: 42 });
    expect(invalid.isError).toBe(true);
  });

  it('disables a tool whose definition changed until it is re-approved', async () => {
    const { manager, events } = setup({ listChangedDebounceMs: 20 });
    const before = await manager.tools('s1');
    const approvedHash = before.find((t) => t.tool.name === 'lookup')?.hash;
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'tool.pinned',
        toolName: 'lookup',
        by: 'first-sight',
        hash: approvedHash,
      }),
    );

    await manager.callTool('s1', 'change-lookup', {});
    const drift = await eventually(() => events.find((e) => e.type === 'tool.definition_changed'));
    expect(drift).toMatchObject({
      serverId: 's1',
      organizationId: 'org-1',
      toolName: 'lookup',
      approvedHash,
    });
    const state = manager.cachedTools('s1')?.find((t) => t.tool.name === 'lookup');
    expect(state).toMatchObject({ approval: 'changed', approvedHash });
    expect(state?.tool.description).toContain('evil.example');

    const refused = await manager.callTool('s1', 'lookup', { query: 'Ada' });
    expect(refused).toMatchObject({ isError: true, status: 'disabled' });

    await manager.approve('s1', 'lookup');
    expect((await manager.callTool('s1', 'lookup', { query: 'Ada' })).text).toBe('found Ada');
    expect(events.filter((e) => e.type === 'tool.definition_changed')).toHaveLength(1);
  });

  it('keeps new tools pending when automatic approval is off', async () => {
    const { manager } = setup({ autoApproveNewTools: false });
    const tools = await manager.tools('s1');
    expect(tools.every((t) => t.approval === 'pending')).toBe(true);
    expect((await manager.callTool('s1', 'lookup', { query: 'x' })).status).toBe('disabled');
    await manager.approve('s1', 'lookup');
    expect((await manager.callTool('s1', 'lookup', { query: 'x' })).status).toBe('ok');
  });

  it('kills the whole stdio process tree on shutdown, grandchildren included', async () => {
    const { manager } = setup();
    const pid = await serverPid(manager);
    const grandchild = Number((await manager.callTool('s1', 'spawn-grandchild', {})).text);
    expect(isAlive(grandchild)).toBe(true);
    await manager.shutdown();
    await eventually(() => !isAlive(pid) && !isAlive(grandchild));
    expect((await manager.callTool('s1', 'lookup', { query: 'x' })).status).toBe('unavailable');
  });

  it('kills the process tree when a server is unregistered', async () => {
    const { manager } = setup();
    const grandchild = Number((await manager.callTool('s1', 'spawn-grandchild', {})).text);
    await manager.unregister('s1');
    await eventually(() => !isAlive(grandchild));
  });

  it('refuses stdio servers unless the operator allows them', async () => {
    const { manager } = setup({ policy: { allowStdio: false, allowPrivateUrls: false } });
    await expect(manager.tools('s1')).rejects.toMatchObject({ code: 'mcp_stdio_refused' });
    expect(manager.status('s1')).toMatchObject({ state: 'failing', errorCode: 'mcp_stdio_refused' });
    expect(manager.status('s1')).not.toHaveProperty('retryAt');
    const result = await manager.callTool('s1', 'lookup', { query: 'x' });
    expect(result).toMatchObject({ isError: true, status: 'unavailable' });
  });

  it('refuses private URLs unless the operator allows them', async () => {
    const { manager } = setup({ policy: { allowStdio: true, allowPrivateUrls: false } });
    manager.register({
      id: 'h1',
      organizationId: 'org-1',
      name: 'internal',
      transport: { type: 'streamable-http', url: 'http://127.0.0.1:9/mcp' },
    });
    await expect(manager.tools('h1')).rejects.toMatchObject({ code: 'mcp_url_private_refused' });
  });

  it('reports a disabled server and does not connect it', async () => {
    const { manager } = setup();
    manager.register({
      id: 's1',
      organizationId: 'org-1',
      name: 'crm',
      transport: testServerStdio(),
      enabled: false,
    });
    expect(manager.status('s1')).toMatchObject({ state: 'disabled' });
    expect((await manager.callTool('s1', 'lookup', { query: 'x' })).status).toBe('unavailable');
  });
});
