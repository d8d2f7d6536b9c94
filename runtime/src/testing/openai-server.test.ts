import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { type OpenAIServer, type OpenAIServerOptions, startOpenAIServer } from './openai-server.js';

let server: OpenAIServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(options: OpenAIServerOptions = {}) {
  server = await startOpenAIServer(options);
  return { fake: server, client: new OpenAI({ apiKey: 'sk-test', baseURL: server.url, maxRetries: 0 }) };
}

const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Get weather',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

describe('OpenAI test server with the openai SDK', () => {
  it('streams text token by token with role first, finish, usage and [DONE]', async () => {
    const { fake, client } = await start({ apiKey: 'sk-test', reply: () => 'It is sunny in Paris.' });
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Weather?' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);

    expect(chunks[0]!.choices[0]!.delta).toEqual({ role: 'assistant', content: '', refusal: null });
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe('It is sunny in Paris.');
    expect(chunks.filter((c) => c.choices[0]?.delta.content).length).toBeGreaterThan(3);
    const finish = chunks.at(-2)!;
    expect(finish.choices[0]).toMatchObject({ delta: {}, finish_reason: 'stop' });
    const usage = chunks.at(-1)!;
    expect(usage.choices).toEqual([]);
    expect(usage.usage!.completion_tokens).toBeGreaterThan(0);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true);
    expect(fake.requests[0]!.headers.authorization).toBe('Bearer sk-test');
    expect(fake.violations).toEqual([]);
  });

  it('splits tool calls across chunks the way the SDK reassembles them', async () => {
    const { fake, client } = await start({
      reply: (request) =>
        request.messages.at(-1)!.role === 'tool'
          ? 'It is 21 degrees.'
          : {
              toolCalls: [
                { name: 'get_weather', arguments: { city: 'Paris' }, id: 'call_a' },
                { name: 'get_weather', arguments: { city: 'Rome' }, id: 'call_b' },
              ],
            },
    });
    const runner = client.chat.completions.stream({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Weather in Paris and Rome?' }],
      tools: [weatherTool],
    });
    const raw = [];
    for await (const chunk of runner) raw.push(chunk);
    const final = await runner.finalChatCompletion();

    const first = raw[0]!.choices[0]!.delta;
    expect(first).toMatchObject({ role: 'assistant', content: null });
    expect(first.tool_calls).toEqual([
      { index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '' } },
    ]);
    const fragments = raw.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []).filter((t) => !t.id);
    expect(fragments.length).toBeGreaterThan(4);
    expect(fragments.every((t) => Object.keys(t).sort().join() === 'function,index')).toBe(true);
    expect(final.choices[0]!.finish_reason).toBe('tool_calls');
    expect(final.choices[0]!.message.tool_calls).toEqual([
      { id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
      { id: 'call_b', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
    ]);

    const second = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'user', content: 'Weather in Paris and Rome?' },
        final.choices[0]!.message,
        { role: 'tool', tool_call_id: 'call_a', content: '{"temp":21}' },
        { role: 'tool', tool_call_id: 'call_b', content: '{"temp":24}' },
      ],
      tools: [weatherTool],
    });
    expect(second.choices[0]!.message.content).toBe('It is 21 degrees.');
    expect(second.choices[0]!.finish_reason).toBe('stop');
    expect(fake.violations).toEqual([]);
  });

  it('answers a non-streaming request with a chat.completion', async () => {
    const { client } = await start();
    const completion = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello' },
      ],
    });
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices[0]!.message).toMatchObject({ role: 'assistant', content: 'You said: Hello' });
    expect(completion.usage!.total_tokens).toBe(
      completion.usage!.prompt_tokens + completion.usage!.completion_tokens,
    );
  });

  it('fails the next requests with OpenAI error bodies and statuses', async () => {
    const { fake, client } = await start();
    fake.failNext(2, { status: 500 });
    const error = await client.chat.completions
      .create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e) => e);
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect(error.error).toMatchObject({ type: 'server_error' });
    // With retries on, the SDK retries a 500 and gets through once the failures are used up.
    const retrying = new OpenAI({ apiKey: 'k', baseURL: fake.url, maxRetries: 2 });
    fake.failNext(1, { status: 429, headers: { 'retry-after-ms': '1' } });
    const ok = await retrying.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(ok.choices[0]!.message.content).toBe('You said: hi');
    expect(fake.requests).toHaveLength(3);

    const secured = await startOpenAIServer({ apiKey: 'right' });
    const authError = await new OpenAI({
      apiKey: 'wrong',
      baseURL: secured.url,
      maxRetries: 0,
    }).chat.completions
      .create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] })
      .catch((e) => e);
    await secured.close();
    expect(authError).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(authError.code).toBe('invalid_api_key');
  });

  it('hangs until the client gives up, before headers or mid-stream', async () => {
    const { fake, client } = await start({ reply: () => 'one two three four five' });
    fake.hangNext(1);
    const timeout = await client.chat.completions
      .create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }, { timeout: 200 })
      .catch((e) => e);
    expect(timeout).toBeInstanceOf(OpenAI.APIConnectionTimeoutError);

    fake.hangNext(1, 2);
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      { model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true },
      { signal: controller.signal },
    );
    const seen: string[] = [];
    for await (const chunk of stream) {
      seen.push(chunk.choices[0]?.delta.content ?? '');
      if (seen.length === 2) setTimeout(() => controller.abort(), 50);
    }
    // The stream stalled after two chunks; only the client's abort ended it.
    expect(seen).toEqual(['', 'one']);
    expect(controller.signal.aborted).toBe(true);
  });

  it('rejects requests the real API would reject, and records them', async () => {
    const { fake, client } = await start();
    const orphanTool = await client.chat.completions
      .create({
        model: 'm',
        messages: [
          { role: 'user', content: 'hi' },
          { role: 'tool', tool_call_id: 'call_x', content: '{}' },
        ],
      })
      .catch((e) => e);
    expect(orphanTool).toBeInstanceOf(OpenAI.BadRequestError);
    const dotted = await client.chat.completions
      .create({
        model: 'm',
        messages: [{ role: 'user', content: 'hi' }],
        tools: [{ type: 'function', function: { name: 'crm.find', parameters: {} } }],
      })
      .catch((e) => e);
    expect(dotted).toBeInstanceOf(OpenAI.BadRequestError);
    expect(fake.violations.map((v) => v.message).join('\n')).toMatch(
      /preceding message with 'tool_calls'[\s\S]*tool names must match/,
    );
  });
});
