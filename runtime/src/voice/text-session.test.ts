import { describe, expect, it } from 'vitest';
import { createLogger } from '../kernel/logger.js';
import { ScriptedLanguageModel, textReply, toolCallReply } from './scripted-providers.js';
import { createTextSession, type TextSessionEvent } from './text-session.js';
import type { ToolDefinition, ToolExecutionOptions, ToolExecutor } from './tools.js';
import { MemoryTraceSink } from './trace.js';

const config = {
  agentId: 'front-desk',
  agentVersion: 3,
  voice: 'v1',
  instructions: 'Be brief.',
  greeting: 'Hi, Acme here.',
};

async function reply(
  events: AsyncIterable<TextSessionEvent>,
): Promise<{ text: string; events: TextSessionEvent[] }> {
  const all: TextSessionEvent[] = [];
  for await (const e of events) all.push(e);
  return { text: all.map((e) => (e.type === 'text' ? e.text : '')).join(''), events: all };
}

class RecordingTools implements ToolExecutor {
  readonly calls: { name: string; args: Record<string, unknown> }[] = [];
  constructor(
    private readonly defs: ToolDefinition[],
    private readonly run: (
      name: string,
      args: Record<string, unknown>,
      o: ToolExecutionOptions,
    ) => Promise<string>,
  ) {}
  async list() {
    return this.defs;
  }
  async execute(name: string, args: Record<string, unknown>, options: ToolExecutionOptions) {
    this.calls.push({ name, args });
    return { ok: true, content: await this.run(name, args, options) };
  }
}

const findContact: ToolDefinition = {
  name: 'crm__find_contact',
  description: 'Find a contact',
  parameters: { type: 'object', properties: { name: { type: 'string' } } },
};
const refund: ToolDefinition = {
  name: 'payments__refund',
  description: 'Refund a payment',
  parameters: { type: 'object', properties: { amount: { type: 'number' } } },
  destructive: true,
  confirmationPrompt: 'I will refund {amount} dollars. Shall I go ahead?',
};

describe('TextSession', () => {
  it('streams a reply and keeps the greeting in the history', async () => {
    const llm = new ScriptedLanguageModel([textReply('We open at nine.')]);
    const session = createTextSession({ config, llm });
    expect(session.greeting).toBe('Hi, Acme here.');
    const { text } = await reply(session.send('When do you open?'));
    expect(text).toBe('We open at nine.');
    expect(llm.requests[0]!.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'assistant', content: 'Hi, Acme here.' },
      { role: 'user', content: 'When do you open?' },
    ]);
    expect(llm.requests[0]!.tools).toEqual(['end_call']);
  });

  it('calls a tool, feeds the result back and answers with it', async () => {
    const llm = new ScriptedLanguageModel([
      toolCallReply('crm__find_contact', { name: 'Bob' }),
      textReply("Bob's number is 555."),
    ]);
    const tools = new RecordingTools([findContact], async () => '{"phone":"555"}');
    const trace = new MemoryTraceSink();
    const session = createTextSession({ config, llm, tools, trace });
    const { text, events } = await reply(session.send("What's Bob's number?"));
    expect(tools.calls).toEqual([{ name: 'crm__find_contact', args: { name: 'Bob' } }]);
    expect(events.filter((e) => e.type !== 'text').map((e) => e.type)).toEqual(['tool-call', 'tool-result']);
    expect(text).toBe("Bob's number is 555.");
    expect(llm.requests[1]!.messages.slice(-2)).toEqual([
      {
        role: 'assistant',
        content: '',
        toolCalls: [{ id: 'call_crm__find_contact', name: 'crm__find_contact', arguments: '{"name":"Bob"}' }],
      },
      { role: 'tool', toolCallId: 'call_crm__find_contact', content: '{"phone":"555"}' },
    ]);
    expect(trace.ofType('tool.called')).toHaveLength(1);
  });

  it('says a filler phrase while a slow tool runs', async () => {
    let release!: () => void;
    const llm = new ScriptedLanguageModel([
      toolCallReply('crm__find_contact', { name: 'Ann' }),
      textReply('Found her.'),
    ]);
    const tools = new RecordingTools(
      [findContact],
      () =>
        new Promise<string>((resolve) => {
          release = () => resolve('{}');
        }),
    );
    const session = createTextSession({
      config: { ...config, fillers: { afterMs: 0, phrases: ['Hold on.'] } },
      llm,
      tools,
    });
    const events: TextSessionEvent[] = [];
    for await (const e of session.send('Find Ann')) {
      events.push(e);
      if (e.type === 'text' && e.text.startsWith('Hold on.')) release();
    }
    const texts = events.flatMap((e) => (e.type === 'text' ? [e.text] : []));
    expect(texts[0]).toBe('Hold on. ');
    expect(texts.join('')).toContain('Found her.');
    // The filler is speech, not something the model said.
    expect(session.messages.some((m) => m.content.includes('Hold on.'))).toBe(false);
  });

  it('reads a destructive tool back and runs it only after a yes', async () => {
    const llm = new ScriptedLanguageModel([
      toolCallReply('payments__refund', { amount: 20 }),
      textReply('Refunded.'),
      toolCallReply('payments__refund', { amount: 30 }, 'call_2'),
      textReply('Okay, I will not.'),
    ]);
    const tools = new RecordingTools([refund], async () => '{"status":"refunded"}');
    const session = createTextSession({ config, llm, tools });

    const first = await reply(session.send('Refund my 20 dollars'));
    expect(first.text.trim()).toBe('I will refund 20 dollars. Shall I go ahead?');
    expect(tools.calls).toEqual([]);

    const second = await reply(session.send('Yes please.'));
    expect(tools.calls).toEqual([{ name: 'payments__refund', args: { amount: 20 } }]);
    expect(second.text).toBe('Refunded.');

    await reply(session.send('Also refund 30'));
    const declined = await reply(session.send('No, wait.'));
    expect(tools.calls).toHaveLength(1);
    expect(declined.text).toBe('Okay, I will not.');
  });

  it('ends the conversation through the built-in end_call tool', async () => {
    const llm = new ScriptedLanguageModel([
      [...textReply('Goodbye! '), ...toolCallReply('end_call', { reason: 'done' })],
    ]);
    const session = createTextSession({ config, llm });
    const { events, text } = await reply(session.send("That's all, thanks"));
    expect(text).toBe('Goodbye! ');
    expect(events.at(-1)).toEqual({ type: 'end', reason: 'agent-hangup', transferTo: undefined });
    expect(session.ended).toMatchObject({ reason: 'agent-hangup' });
    await expect(reply(session.send('hello?'))).rejects.toThrow('ended');
  });

  it('transfers to a configured destination', async () => {
    const llm = new ScriptedLanguageModel([toolCallReply('transfer_call', { destination: 'billing' })]);
    const session = createTextSession({
      config: {
        ...config,
        builtins: { endCall: true, transferTargets: { billing: { number: '+15550100' } } },
      },
      llm,
    });
    const { events, text } = await reply(session.send('Billing please'));
    expect(text.trim()).toBe('Please hold while I transfer you.');
    expect(events.at(-1)).toEqual({ type: 'end', reason: 'transfer', transferTo: '+15550100' });
  });

  it('apologises when the model fails', async () => {
    const llm = new ScriptedLanguageModel([]);
    const session = createTextSession({ config, llm, log: createLogger('silent') });
    const { text } = await reply(session.send('Hello?'));
    expect(text.trim()).toBe("Sorry, I'm having trouble right now. Could you say that again?");
  });
});
