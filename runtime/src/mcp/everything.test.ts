import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ToolProgress } from './call.js';
import type { McpTransportConfig } from './config.js';
import type { McpConnectionManager } from './connection-manager.js';
import type { ToolsChangeReason } from './events.js';
import { createTestManager, eventually, everythingStdio, startEverythingHttp } from './fixtures/harness.js';
import type { McpToolState } from './tool-state.js';

const BASE_TOOLS = [
  'echo',
  'get-annotated-message',
  'get-env',
  'get-resource-links',
  'get-resource-reference',
  'get-structured-content',
  'get-sum',
  'get-tiny-image',
  'gzip-file-as-resource',
  'toggle-simulated-logging',
  'toggle-subscriber-updates',
  'trigger-long-running-operation',
];

type Setup = { transport: McpTransportConfig; stop: () => Promise<void>; announcesConditionalTools: boolean };

/**
 * server-everything registers its capability-dependent tools as soon as the client says
 * `initialized` and announces them with list_changed. Over Streamable HTTP that notification goes
 * to the standalone GET stream, which the client can only open after `initialized` was accepted,
 * so the server drops it; the HTTP list_changed path is covered against the 2.x test server in
 * http.test.ts instead.
 */
const transports: [string, () => Promise<Setup>][] = [
  [
    'stdio',
    async () => ({
      transport: everythingStdio(),
      stop: async () => undefined,
      announcesConditionalTools: true,
    }),
  ],
  [
    'Streamable HTTP',
    async () => {
      const server = await startEverythingHttp('streamableHttp');
      return {
        transport: { type: 'streamable-http', url: `http://127.0.0.1:${server.port}/mcp` },
        stop: server.stop,
        announcesConditionalTools: false,
      };
    },
  ],
];

describe.each(transports)(
  'the 2.x client host against server-everything (a 1.x SDK server) over %s',
  (_label, setup) => {
    let server: Setup;
    let manager: McpConnectionManager;
    const toolEvents: { reason: ToolsChangeReason; tools: McpToolState[] }[] = [];

    beforeAll(async () => {
      server = await setup();
      // Declaring roots makes server-everything register get-roots-list after initialize and
      // announce it with notifications/tools/list_changed.
      ({ manager } = createTestManager({
        roots: [],
        listChangedDebounceMs: 50,
        onToolsChanged: (_id, tools, reason) => toolEvents.push({ reason, tools }),
      }));
      manager.register({
        id: 'srv-1',
        organizationId: 'org-1',
        name: 'everything',
        transport: server.transport,
        trusted: true,
      });
    });

    afterAll(async () => {
      await manager?.shutdown();
      await server?.stop();
    });

    it('lists every tool, all pages, and reports the server connected', async () => {
      const tools = await manager.tools('srv-1');
      const names = tools.map((t) => t.tool.name);
      expect(names).toEqual(expect.arrayContaining(BASE_TOOLS));
      expect(tools.every((t) => t.approval === 'approved' && t.hash.length === 64)).toBe(true);
      expect(manager.status('srv-1')).toMatchObject({ state: 'connected' });
    });

    it('calls echo and get-sum and returns their text', async () => {
      const echo = await manager.callTool('srv-1', 'echo', { message: 'hello caller' });
      expect(echo).toMatchObject({ isError: false, status: 'ok' });
      expect(echo.text).toContain('hello caller');
      const sum = await manager.callTool('srv-1', 'get-sum', { a: 2, b: 3 });
      expect(sum.isError).toBe(false);
      expect(sum.text).toContain('5');
    });

    it('keeps structured content', async () => {
      const result = await manager.callTool('srv-1', 'get-structured-content', { location: 'New York' });
      expect(result.isError).toBe(false);
      expect(result.structured).toMatchObject({ temperature: expect.any(Number) });
    });

    it('surfaces progress notifications of a long-running operation', async () => {
      const progress: ToolProgress[] = [];
      const result = await manager.callTool(
        'srv-1',
        'trigger-long-running-operation',
        { duration: 0.3, steps: 3 },
        { onProgress: (p) => progress.push(p) },
      );
      expect(result.status).toBe('ok');
      // The last step's notification races the result itself (the SDK dispatches notifications
      // asynchronously), so only the earlier steps are certain to be seen before the call returns.
      const steps = progress.map((p) => p.progress);
      expect(steps.slice(0, 2)).toEqual([1, 2]);
      expect(steps.every((step) => step <= 3)).toBe(true);
      expect(progress[0]?.total).toBe(3);
    });

    it('refreshes the cached tool list on tools/list_changed (where the server can deliver it)', async () => {
      if (!server.announcesConditionalTools) {
        // The list fetched at connect already has the conditional tools; no notification arrives.
        expect(manager.cachedTools('srv-1')?.map((t) => t.tool.name)).toContain('get-roots-list');
        return;
      }
      const refreshed = await eventually(() => toolEvents.find((e) => e.reason === 'list_changed'));
      expect(refreshed.tools.map((t) => t.tool.name)).toContain('get-roots-list');
      expect(manager.cachedTools('srv-1')?.map((t) => t.tool.name)).toContain('get-roots-list');
    });

    it('turns bad arguments and unknown tools into isError results', async () => {
      const bad = await manager.callTool('srv-1', 'get-sum', { a: 'two' });
      expect(bad.isError).toBe(true);
      expect(bad.text.length).toBeGreaterThan(0);
      const unknown = await manager.callTool('srv-1', 'no-such-tool', {});
      expect(unknown).toMatchObject({ isError: true, status: 'not_found' });
    });
  },
);

describe('legacy HTTP+SSE fallback', () => {
  it('falls back to the SSE transport when the server rejects Streamable HTTP with a 4xx', async () => {
    const server = await startEverythingHttp('sse');
    const { manager } = createTestManager();
    try {
      manager.register({
        id: 'legacy',
        organizationId: 'org-1',
        name: 'legacy',
        transport: { type: 'streamable-http', url: `http://127.0.0.1:${server.port}/sse` },
      });
      const tools = await manager.tools('legacy');
      expect(tools.map((t) => t.tool.name)).toContain('echo');
      expect(manager.status('legacy')).toMatchObject({ state: 'connected', transport: 'sse' });
      const echo = await manager.callTool('legacy', 'echo', { message: 'over sse' });
      expect(echo.text).toContain('over sse');
    } finally {
      await manager.shutdown();
      await server.stop();
    }
  });
});
