/**
 * The example agent with its plugin, as `vrm test` runs them on a builder's machine: agent.yaml,
 * the plugin started from vrm.servers.yaml beside it, and a scripted stand-in for the language
 * model (the repository's OpenAI test server) that acts as a model following the instructions would.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ChatCompletionRequest,
  type OpenAIServer,
  type ScriptedReply,
  startOpenAIServer,
} from '../../../runtime/src/testing/openai-server.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MANIFEST = 'examples/order-status-plugin/agent.yaml';

const textOf = (content: unknown) => (typeof content === 'string' ? content : JSON.stringify(content ?? ''));

/** Looks the order up with the caller's number from the system prompt, then says what the tool said. */
function orderLineModel(request: ChatCompletionRequest): ScriptedReply | string {
  const last = request.messages.at(-1);
  if (last?.role === 'tool') return textOf(last.content);
  const system = textOf(request.messages.find((m) => m.role === 'system')?.content);
  const phone = /calling from (\+\d+)/.exec(system)?.[1];
  const orderNumber = /order (\d{6})/.exec(textOf(last?.content))?.[1];
  return {
    toolCalls: [{ name: 'orders__lookup_order', arguments: { ...(orderNumber && { orderNumber }), phone } }],
  };
}

function runVrmTest(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, ['bin/vrm.mjs', 'test', MANIFEST, ...args], {
    cwd: ROOT,
    env: { ...process.env, VRM_LOG_LEVEL: 'silent', NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => {
    out += d;
  });
  child.stderr.on('data', (d) => {
    err += d;
  });
  return new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
    child.once('close', (code) => resolve({ code, out, err }));
  });
}

describe('the example agent under vrm test', () => {
  let model: OpenAIServer;
  beforeAll(async () => {
    model = await startOpenAIServer({ apiKey: 'sk-order-line', reply: orderLineModel });
  });
  afterAll(async () => {
    await model?.close();
  });

  it('connects the plugin from vrm.servers.yaml and passes the lookup tests', async () => {
    const run = await runVrmTest(
      ['--test', "looks the caller's order up", '--test', 'checks an order number', '--json'],
      {
        OPENAI_API_KEY: 'sk-order-line',
        OPENAI_BASE_URL: model.url,
      },
    );
    expect(run.err).toBe('');
    const report = JSON.parse(run.out);
    expect(report).toMatchObject({ agent: 'order-status-plugin', passed: 2, failed: 0 });
    expect(run.code).toBe(0);

    const first = model.requests.find((r) => r.path === '/v1/chat/completions')!.body as {
      tools: Array<{ function: { name: string; parameters: { properties: Record<string, unknown> } } }>;
    };
    const offered = Object.fromEntries(first.tools.map((t) => [t.function.name, t.function.parameters]));
    expect(Object.keys(offered)).toEqual(
      expect.arrayContaining([
        'orders__lookup_order',
        'orders__list_recent_orders',
        'orders__request_return',
      ]),
    );
    // `pinned: { limit: 3 }` in the manifest: the model never sees the argument.
    expect(Object.keys(offered.orders__list_recent_orders!.properties).sort()).toEqual(['days', 'phone']);
    // What the model read back from the plugin is its short text, not JSON.
    const toolMessages = model.requests
      .flatMap((r) => (r.body as ChatCompletionRequest).messages ?? [])
      .filter((m) => m.role === 'tool')
      .map((m) => textOf(m.content));
    expect(toolMessages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Order 204577 for Maya \(1 item, \$129\.00\) shipped with USPS/),
      ]),
    );
    expect(model.violations).toEqual([]);
  });
});
