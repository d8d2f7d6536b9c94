import { describe, expect, it } from 'vitest';
import { createLogger } from '../kernel/logger.js';
import { type AgentManifest, parseManifest } from '../manifest/index.js';
import { ScriptedLanguageModel, textReply, toolCallReply } from '../voice/scripted-providers.js';
import type { ToolDefinition, ToolExecutor } from '../voice/tools.js';
import { runConversationTest } from './conversation-runner.js';

const MANIFEST = `
apiVersion: vrm/v1
kind: Agent
name: shop
instructions: You sell things. The caller is {{caller.number}}; the store is {{store}}.
variables:
  store: { default: Downtown }
llm: { provider: openai, model: gpt-4o-mini }
stt: { provider: deepgram, model: nova-3 }
tts: { provider: cartesia, model: sonic-2, voice: v1 }
tools:
  - mcp: shop
    settings:
      charge: { confirm: true }
  - builtin: end_call
tests:
  - name: finds the order
    variables: { caller.number: "+15125550123", store: Uptown }
    turns:
      - caller: Where is my order A1?
        expect:
          toolCalls: [{ tool: shop__lookup, arguments: { id: A1 } }]
          reply: { contains: shipped }
      - caller: Thanks, bye.
        expect:
          toolCalls: [{ tool: end_call }]
  - name: charges only after a yes
    turns:
      - caller: Charge me five dollars.
        expect:
          notCalled: [shop__charge]
          reply: { regex: go ahead }
      - caller: Yes, go ahead.
        expect:
          toolCalls: [{ tool: shop__charge, arguments: { amount: 5 } }]
`;

function manifest(): AgentManifest {
  const parsed = parseManifest(MANIFEST, 'shop.yaml');
  if (!parsed.ok) throw new Error(parsed.problems.map((p) => p.message).join('\n'));
  return parsed.manifest;
}

const definitions: ToolDefinition[] = [
  { name: 'shop__lookup', description: 'Find an order', parameters: { type: 'object' } },
  {
    name: 'shop__charge',
    description: 'Charge the caller',
    parameters: { type: 'object' },
    destructive: true,
    confirmationPrompt: 'I will charge {amount} dollars. Shall I go ahead?',
  },
];

function shopTools(ran: { name: string; args: unknown }[] = []): ToolExecutor {
  return {
    list: async () => definitions,
    execute: async (name, args) => {
      ran.push({ name, args });
      return { ok: true, content: name === 'shop__lookup' ? 'Order A1 shipped yesterday.' : 'Charged.' };
    },
  };
}

const deps = (llm: ScriptedLanguageModel, tools: ToolExecutor = shopTools()) => ({
  llm,
  tools,
  log: createLogger('silent'),
});

describe('runConversationTest', () => {
  it('passes a test whose turns meet their expectations, with the test variables rendered', async () => {
    const m = manifest();
    const llm = new ScriptedLanguageModel([
      toolCallReply('shop__lookup', { id: 'A1', verbose: true }),
      textReply('Your order shipped yesterday.'),
      toolCallReply('end_call', {}),
    ]);
    const result = await runConversationTest(m, m.tests[0]!, deps(llm));
    expect(result.passed).toBe(true);
    expect(result.turns.map((t) => t.calls.map((c) => c.tool))).toEqual([['shop__lookup'], ['end_call']]);
    expect(result.turns[0]!.reply).toBe('Your order shipped yesterday.');
    const system = llm.requests[0]!.messages[0]!;
    expect(system.content).toContain('The caller is +15125550123; the store is Uptown.');
  });

  it('counts a confirmed tool in the turn where the caller said yes', async () => {
    const m = manifest();
    const ran: { name: string; args: unknown }[] = [];
    const llm = new ScriptedLanguageModel([
      toolCallReply('shop__charge', { amount: 5 }),
      textReply('Done, you are charged.'),
    ]);
    const result = await runConversationTest(m, m.tests[1]!, deps(llm, shopTools(ran)));
    expect(result.turns.map((t) => t.failures)).toEqual([[], []]);
    expect(result.turns[0]!.calls).toEqual([
      {
        tool: 'shop__charge',
        arguments: { amount: 5 },
        ran: false,
        note: 'Not run yet: the caller is being asked to confirm it.',
      },
    ]);
    expect(result.turns[0]!.reply).toContain('Shall I go ahead?');
    expect(result.turns[1]!.calls).toEqual([{ tool: 'shop__charge', arguments: { amount: 5 }, ran: true }]);
    expect(ran).toEqual([{ name: 'shop__charge', args: { amount: 5 } }]);
    expect(result.passed).toBe(true);
  });

  it('stops at the first failing turn and names the expectation', async () => {
    const m = manifest();
    const llm = new ScriptedLanguageModel([
      toolCallReply('shop__lookup', { id: 'B2' }),
      textReply('It is on its way.'),
    ]);
    const result = await runConversationTest(m, m.tests[0]!, deps(llm));
    expect(result.passed).toBe(false);
    expect(result.turns).toHaveLength(1);
    expect(result.totalTurns).toBe(2);
    expect(result.turns[0]!.failures).toEqual([
      expect.objectContaining({
        expectation: 'toolCalls[0]',
        actual: expect.stringContaining('arguments.id is "B2", expected "A1"'),
      }),
      {
        expectation: 'reply.contains',
        expected: 'a reply containing "shipped"',
        actual: '"It is on its way."',
      },
    ]);
  });

  it('fails a turn the agent can no longer hear because it hung up', async () => {
    const m = manifest();
    const test = { name: 'hangs up early', turns: [{ caller: 'Bye.' }, { caller: 'Wait, one more thing.' }] };
    const llm = new ScriptedLanguageModel([toolCallReply('end_call', {})]);
    const result = await runConversationTest(m, test, deps(llm));
    expect(result.passed).toBe(false);
    expect(result.turns[1]!.failures).toEqual([
      {
        expectation: 'conversation',
        expected: 'the call still open for this turn',
        actual: 'the agent hung up after turn 1',
      },
    ]);
  });

  it('fails a turn when the language model fails, even without expectations', async () => {
    const m = manifest();
    const test = { name: 'model down', turns: [{ caller: 'Hello?' }] };
    const llm = new ScriptedLanguageModel([
      () => {
        throw new Error('401 Incorrect API key provided');
      },
    ]);
    const result = await runConversationTest(m, test, deps(llm));
    expect(result.passed).toBe(false);
    expect(result.turns[0]!.failures[0]!.actual).toContain(
      'the language model failed: 401 Incorrect API key provided',
    );
  });
});
