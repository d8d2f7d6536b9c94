import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { McpConnectionManager } from './connection-manager.js';
import { createTestManager, testServerStdio } from './fixtures/harness.js';
import { type ConfirmationRequest, ToolCatalog } from './tool-catalog.js';
import { assignModelToolNames, MODEL_TOOL_NAME_PATTERN } from './tool-names.js';

describe('assignModelToolNames', () => {
  it('namespaces, sanitises and maps back exactly', () => {
    const names = assignModelToolNames([
      { serverName: 'crm', toolName: 'find_contact' },
      { serverName: 'crm', toolName: 'account.note' },
    ]);
    expect([...names.keys()]).toEqual(['crm__find_contact', 'crm__account_note']);
    expect(names.get('crm__account_note')).toEqual({ serverName: 'crm', toolName: 'account.note' });
  });

  it('gives colliding and over-long names distinct hashed names that fit the OpenAI pattern', () => {
    const refs = [
      { serverName: 'crm', toolName: 'a.b' },
      { serverName: 'crm', toolName: 'a_b' },
      { serverName: 'a-very-long-server-name-for-testing', toolName: 'x'.repeat(60) },
      { serverName: 'a-very-long-server-name-for-testing', toolName: `${'x'.repeat(60)}y` },
    ];
    const names = assignModelToolNames(refs);
    expect(names.size).toBe(4);
    for (const name of names.keys()) expect(name).toMatch(MODEL_TOOL_NAME_PATTERN);
    expect(new Set(names.values())).toEqual(new Set(refs));
    // Order does not change the names.
    expect([...assignModelToolNames([...refs].reverse()).keys()].sort()).toEqual([...names.keys()].sort());
  });
});

describe('ToolCatalog', () => {
  let manager: McpConnectionManager;

  beforeAll(() => {
    ({ manager } = createTestManager());
    manager.register({
      id: 'trusted',
      organizationId: 'o',
      name: 'crm',
      transport: testServerStdio(),
      trusted: true,
    });
    manager.register({
      id: 'untrusted',
      organizationId: 'o',
      name: 'vendor.x',
      transport: testServerStdio(),
    });
  });
  afterAll(() => manager.shutdown());

  it('shows the model namespaced tools filtered by allow and deny lists', async () => {
    const catalog = new ToolCatalog(manager, [
      { serverId: 'trusted', allow: ['lookup', 'account.note', 'delete-record'], deny: ['delete-record'] },
      { serverId: 'untrusted', allow: ['lookup'] },
    ]);
    const tools = await catalog.load();
    expect(tools.map((t) => t.name).sort()).toEqual(['crm__account_note', 'crm__lookup', 'vendor_x__lookup']);
    expect(catalog.resolve('vendor_x__lookup')).toMatchObject({ serverId: 'untrusted', toolName: 'lookup' });
    expect(catalog.resolve('crm__account_note')).toMatchObject({ toolName: 'account.note' });
  });

  it('hides pinned arguments from the schema and injects them into the call', async () => {
    const catalog = new ToolCatalog(manager, [
      {
        serverId: 'trusted',
        allow: ['account.note'],
        pinnedArguments: { 'account.note': { accountId: 'acct-7' } },
      },
    ]);
    const [tool] = await catalog.load();
    const schema = tool?.parameters as { properties: Record<string, unknown>; required: string[] };
    expect(Object.keys(schema.properties)).toEqual(['note']);
    expect(schema.required).toEqual(['note']);
    // Even if the model tries to pick the account, the pinned value wins.
    const result = await catalog.call('crm__account_note', { note: 'call back', accountId: 'other' });
    expect(result).toMatchObject({ status: 'ok', text: 'noted on acct-7: call back' });
  });

  it('runs read-only and non-destructive tools of a trusted server without confirmation', async () => {
    const catalog = new ToolCatalog(manager, [{ serverId: 'trusted' }]);
    await catalog.load();
    expect(catalog.resolve('crm__lookup')?.confirmation).toBeUndefined();
    expect(catalog.resolve('crm__account_note')?.confirmation).toBeUndefined();
    expect((await catalog.call('crm__lookup', { query: 'Ada' })).text).toBe('found Ada');
  });

  it('asks for confirmation of destructive tools and does nothing when the caller declines', async () => {
    const catalog = new ToolCatalog(manager, [{ serverId: 'trusted', confirm: ['lookup'] }]);
    await catalog.load();
    const asked: ConfirmationRequest[] = [];
    const declined = await catalog.call(
      'crm__delete-record',
      { id: 'r1' },
      {
        confirm: async (request) => {
          asked.push(request);
          return false;
        },
      },
    );
    expect(declined).toMatchObject({ isError: true, status: 'declined' });
    expect(asked[0]).toMatchObject({
      tool: { toolName: 'delete-record', confirmation: 'destructive' },
      arguments: { id: 'r1' },
    });

    const accepted = await catalog.call('crm__delete-record', { id: 'r1' }, { confirm: async () => true });
    expect(accepted).toMatchObject({ status: 'ok', text: 'deleted r1' });
    expect(catalog.resolve('crm__lookup')?.confirmation).toBe('manifest');
  });

  it('treats every tool of an untrusted server as destructive, ignoring its annotations', async () => {
    const catalog = new ToolCatalog(manager, [{ serverId: 'untrusted', allow: ['lookup'] }]);
    await catalog.load();
    expect(catalog.resolve('vendor_x__lookup')?.confirmation).toBe('untrusted-server');
    const refused = await catalog.call('vendor_x__lookup', { query: 'Ada' });
    expect(refused).toMatchObject({ isError: true, status: 'declined' });
    const confirmed = await catalog.call('vendor_x__lookup', { query: 'Ada' }, { confirm: async () => true });
    expect(confirmed.text).toBe('found Ada');
  });

  it('answers unknown names and bad arguments with recoverable errors', async () => {
    const catalog = new ToolCatalog(manager, [{ serverId: 'trusted', allow: ['lookup'] }]);
    await catalog.load();
    expect(await catalog.call('crm__delete-record', { id: 'r1' })).toMatchObject({ status: 'not_found' });
    expect(await catalog.call('crm__lookup', 'not an object')).toMatchObject({
      isError: true,
      status: 'error',
    });
  });

  it('uses the binding timeout and reports cancellation during confirmation', async () => {
    const catalog = new ToolCatalog(manager, [{ serverId: 'trusted', allow: ['hang'], timeoutMs: 150 }]);
    await catalog.load();
    const timedOut = await catalog.call('crm__hang', {}, { confirm: async () => true });
    expect(timedOut).toMatchObject({ status: 'timeout' });

    const controller = new AbortController();
    const cancelled = await catalog.call(
      'crm__hang',
      {},
      {
        signal: controller.signal,
        confirm: async () => {
          controller.abort();
          return true;
        },
      },
    );
    expect(cancelled).toMatchObject({ status: 'cancelled' });
  });
});
