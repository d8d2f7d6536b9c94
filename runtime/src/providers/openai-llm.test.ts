import { afterEach, describe, expect, it } from 'vitest';
import { type OpenAIServer, type OpenAIServerOptions, startOpenAIServer } from '../testing/openai-server.js';
import { withLanguageModelFallback } from './fallback.js';
import { OpenAiLanguageModel } from './openai-llm.js';
import type { LanguageModelEvent, LanguageModelRequest } from './types.js';

const servers: OpenAIServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function server(options: OpenAIServerOptions): Promise<OpenAIServer> {
  const s = await startOpenAIServer({ apiKey: 'sk-test', ...options });
  servers.push(s);
  return s;
}

async function collect(events: AsyncIterable<LanguageModelEvent>): Promise<LanguageModelEvent[]> {
  const out: LanguageModelEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}

const request = (over: Partial<LanguageModelRequest> = {}): LanguageModelRequest => ({
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: "What's the weather in Paris?" },
  ],
  signal: new AbortController().signal,
  ...over,
});

describe('OpenAiLanguageModel against the OpenAI protocol server', () => {
  it('streams text deltas and reports usage and the model', async () => {
    const s = await server({ reply: () => 'It is sunny in Paris today.' });
    const llm = new OpenAiLanguageModel({ apiKey: 'sk-test', baseURL: s.url, model: 'gpt-4o-mini' });
    const events = await collect(llm.stream(request()));
    const text = events.map((e) => (e.type === 'text' ? e.delta : '')).join('');
    expect(text).toBe('It is sunny in Paris today.');
    const done = events.at(-1);
    expect(done).toMatchObject({ type: 'done', finishReason: 'stop' });
    expect(done?.type === 'done' && done.usage?.completionTokens).toBeGreaterThan(0);
    expect(done?.type === 'done' && done.firstTokenMs).toBeGreaterThanOrEqual(0);
    expect(s.violations).toEqual([]);
  });

  it('assembles tool calls from split argument deltas and sends the results back', async () => {
    const s = await server({
      reply: (_req, index) =>
        index === 0
          ? {
              toolCalls: [
                { name: 'weather__get', arguments: { city: 'Paris', unit: 'celsius' }, id: 'call_1' },
                { name: 'crm__find_contact', arguments: { name: 'Ann' }, id: 'call_2' },
              ],
            }
          : 'Sunny, 21 degrees.',
    });
    const llm = new OpenAiLanguageModel({ apiKey: 'sk-test', baseURL: s.url, model: 'gpt-4o-mini' });
    const tools = [
      { name: 'weather__get', description: 'Weather', parameters: { type: 'object', properties: {} } },
      { name: 'crm__find_contact', description: 'Find', parameters: { type: 'object', properties: {} } },
    ];
    const first = await collect(llm.stream(request({ tools })));
    const calls = first.flatMap((e) => (e.type === 'tool-call' ? [e.call] : []));
    expect(calls).toEqual([
      { id: 'call_1', name: 'weather__get', arguments: '{"city":"Paris","unit":"celsius"}' },
      { id: 'call_2', name: 'crm__find_contact', arguments: '{"name":"Ann"}' },
    ]);
    expect(first.at(-1)).toMatchObject({ finishReason: 'tool_calls' });

    const second = await collect(
      llm.stream(
        request({
          tools,
          messages: [
            ...request().messages,
            { role: 'assistant', content: '', toolCalls: calls },
            { role: 'tool', toolCallId: 'call_1', content: '{"sky":"sunny","temp":21}' },
            { role: 'tool', toolCallId: 'call_2', content: '{}' },
          ],
        }),
      ),
    );
    expect(second.map((e) => (e.type === 'text' ? e.delta : '')).join('')).toBe('Sunny, 21 degrees.');
    const body = s.requests.at(-1)!.body as { messages: unknown[]; stream: boolean };
    expect(body.stream).toBe(true);
    expect(body.messages[2]).toMatchObject({
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 'call_1' }, { id: 'call_2' }],
    });
    expect(s.violations).toEqual([]);
  });

  it('does not retry a failed request (fallback is faster) and marks overload retryable', async () => {
    const s = await server({});
    s.failNext(1, { status: 503 });
    const llm = new OpenAiLanguageModel({ apiKey: 'sk-test', baseURL: s.url, model: 'gpt-4o-mini' });
    await expect(collect(llm.stream(request()))).rejects.toMatchObject({
      code: 'llm_failed',
      retryable: true,
    });
    expect(s.requests).toHaveLength(1);
  });

  it('falls back to the next endpoint when the first never sends a token', async () => {
    const slow = await server({});
    slow.hangNext(1);
    const fast = await server({ reply: () => 'Backup here.' });
    const llm = withLanguageModelFallback(
      [
        new OpenAiLanguageModel({ apiKey: 'sk-test', baseURL: slow.url, model: 'primary', name: 'primary' }),
        new OpenAiLanguageModel({ apiKey: 'sk-test', baseURL: fast.url, model: 'backup', name: 'backup' }),
      ],
      { budgetMs: 200 },
    );
    const events = await collect(llm.stream(request()));
    expect(events[0]).toMatchObject({ type: 'fallback', from: 'primary', to: 'backup' });
    expect(events.map((e) => (e.type === 'text' ? e.delta : '')).join('')).toBe('Backup here.');
  });
});
