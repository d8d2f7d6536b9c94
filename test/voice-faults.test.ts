/**
 * Provider and tool faults in the middle of a phone call through the running server. Each test
 * places one call; each time the call must go on: the caller still hears an answer afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVERYTHING_ENTRY } from '../runtime/src/mcp/fixtures/harness.js';
import type { TwilioCaller } from '../runtime/src/testing/twilio-media-client.js';
import { speech, startVoiceStack, type VoiceStack } from './voice-stack.js';

const SLOW_TOOL = 'everything__trigger-long-running-operation';
const TOO_SLOW = 'Sorry, that is taking too long. Can I help with anything else?';

/** The scripted model: echoes the caller, runs the slow tool when asked, recovers from its error. */
function model(prefix: string) {
  return (request: { messages: unknown[] }) => {
    const last = request.messages.at(-1) as { role: string; content?: unknown };
    if (last.role === 'tool') return /did not answer/.test(String(last.content)) ? TOO_SLOW : 'Done.';
    const said = String(last.content);
    // Steps of five seconds: no progress within the tool's 1.5 s limit.
    if (/slow/i.test(said))
      return { toolCalls: [{ name: SLOW_TOOL, arguments: { duration: 10, steps: 2 } }] };
    return `${prefix}${said}`;
  };
}

describe('faults during a call', () => {
  let stack: VoiceStack;

  beforeAll(async () => {
    stack = await startVoiceStack({ reply: model('You said: '), fallbackReply: model('Backup heard: ') });
    await stack.registerMcp({
      name: 'everything',
      trusted: true,
      transport: { type: 'stdio', command: process.execPath, args: [EVERYTHING_ENTRY, 'stdio'] },
    });
    await stack.createAgent(`apiVersion: vrm/v1
kind: Agent
name: resilient
greeting: Hello there.
instructions: You are a patient assistant.
llm:
  provider: openai
  model: gpt-4o-mini
  fallbacks:
    - { provider: openai, model: backup-model, baseUrl: "${stack.openaiFallback.url}" }
stt: { provider: deepgram, model: nova-3, language: en-US }
tts:
  provider: cartesia
  model: sonic-2
  voice: a0e99841-438c-4a64-b679-ae501e7d6091
  fallbacks:
    - { provider: cartesia, model: sonic-2, voice: 79a125e8-cd45-4c13-8a67-188112f4dd22, baseUrl: "${stack.cartesiaFallback.url}" }
turnTaking:
  endpointingMs: 200
  bargeIn: { minDurationMs: 50, resumeOnFalseInterruption: false }
tools:
  - mcp: everything
    allow: [trigger-long-running-operation]
    timeoutMs: 1500
`);
  });
  afterAll(async () => {
    await stack?.close();
  });

  /** Dials the agent and waits until the greeting has played. */
  async function answeredCall(script: string[]): Promise<TwilioCaller> {
    stack.script = script.map((transcript) => ({ transcript }));
    const caller = await stack.dial('resilient');
    await caller.waitForMark('1:end', 15_000);
    return caller;
  }

  /** The caller says the next scripted utterance; resolves when the reply `generationId` has played. */
  async function turn(caller: TwilioCaller, generationId: number): Promise<void> {
    await caller.sendAudio(speech(700));
    await caller.waitForMark(`${generationId}:end`, 20_000);
  }

  /** Hangs up and returns the stored trace, checking the call ended normally. */
  async function hangUp(caller: TwilioCaller) {
    await caller.hangUp();
    const { call, events } = await stack.finishedCall(caller.callSid);
    expect(call).toMatchObject({ status: 'completed', endedReason: 'caller-hangup' });
    expect(caller.violations).toEqual([]);
    return { call, events: events as Array<{ type: string; data: Record<string, unknown> }> };
  }

  const spoken = () => [
    ...[...stack.cartesia.contexts.values()].map((c) => c.transcript),
    ...[...stack.cartesiaFallback.contexts.values()].map((c) => c.transcript),
  ];

  it('reconnects when the STT socket drops mid-call and still hears the caller', async () => {
    const caller = await answeredCall(['Are you still listening?']);
    const before = stack.deepgram.connections.length;
    stack.deepgram.dropConnections('close-1011');
    await turn(caller, 2);
    expect(spoken()).toContain('You said: Are you still listening?');
    expect(stack.deepgram.connections.length).toBe(before + 1);
    const { events } = await hangUp(caller);
    expect(events.some((e) => e.type === 'stt.reconnected')).toBe(true);
    expect(events.find((e) => e.type === 'turn.metrics')?.data.voiceToVoiceMs).toBeTypeOf('number');
    expect(stack.deepgram.violations).toEqual([]);
  });

  it('answers from the fallback model when the primary answers 500', async () => {
    const caller = await answeredCall(['What is the weather like?', 'And tomorrow?']);
    stack.openai.failNext(1, { status: 500, message: 'The server had an error' });
    const fallbackRequests = stack.openaiFallback.requests.length;
    await turn(caller, 2);
    expect(spoken()).toContain('Backup heard: What is the weather like?');
    expect(stack.openaiFallback.requests.length).toBe(fallbackRequests + 1);
    // The call goes on.
    await turn(caller, 3);
    const { events } = await hangUp(caller);
    expect(events.find((e) => e.type === 'fallback')?.data).toMatchObject({
      kind: 'llm',
      from: 'openai',
      to: 'openai',
    });
    expect(stack.openai.violations).toEqual([]);
    expect(stack.openaiFallback.violations).toEqual([]);
  });

  it('speaks with the fallback voice when the TTS fails, and the call goes on', async () => {
    const caller = await answeredCall(['Can you hear me?', 'Still there?']);
    stack.cartesia.failNext({ status_code: 500, message: 'Synthesis failed.' }, 1);
    await turn(caller, 2);
    const fallbackContexts = [...stack.cartesiaFallback.contexts.values()];
    expect(fallbackContexts.map((c) => c.transcript)).toContain('You said: Can you hear me?');
    expect(fallbackContexts.find((c) => c.transcript === 'You said: Can you hear me?')?.audioBytes).toBe(
      'You said: Can you hear me?'.length * 400,
    );
    await turn(caller, 3);
    expect(spoken()).toContain('You said: Still there?');
    const { events } = await hangUp(caller);
    expect(events.find((e) => e.type === 'fallback')?.data).toMatchObject({ kind: 'tts', from: 'cartesia' });
    expect(stack.cartesia.violations).toEqual([]);
    expect(stack.cartesiaFallback.violations).toEqual([]);
  });

  it('gives the model an error result when an MCP tool times out, and the model recovers', async () => {
    const caller = await answeredCall(['Please run the slow job.', 'Thank you.']);
    await turn(caller, 2);
    const afterTool = stack.openai.requests.at(-1)!.body as {
      messages: Array<{ role: string; content: string }>;
    };
    expect(afterTool.messages.at(-1)).toMatchObject({ role: 'tool' });
    expect(afterTool.messages.at(-1)!.content).toMatch(/did not answer within 1.5 seconds/);
    // After a filler phrase, if the tool ran long enough for one, in the same reply.
    expect(spoken().some((text) => text.endsWith(TOO_SLOW))).toBe(true);
    await turn(caller, 3);
    expect(spoken()).toContain('You said: Thank you.');
    const { call, events } = await hangUp(caller);
    expect(events.find((e) => e.type === 'tool.result')?.data).toMatchObject({
      server: 'everything',
      tool: 'trigger-long-running-operation',
      isError: true,
    });
    expect(call.counts).toMatchObject({ toolCalls: 1 });
  });
});
