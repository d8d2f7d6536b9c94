/**
 * A phone call through the running server, end to end: Twilio's webhook and Media Streams on one
 * side, the real Deepgram, OpenAI and Cartesia SDKs talking to protocol-faithful test servers on
 * the other, and a real MCP server (the CRM plugin over stdio) for the agent's tools.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TwilioOutboundMessage } from '../runtime/src/testing/twilio-media-protocol.js';
import {
  AGENT_NUMBER,
  CALLER_NUMBER,
  CRM_BIN,
  speech,
  startVoiceStack,
  type VoiceStack,
} from './voice-stack.js';

const GREETING = 'Acme Plumbing, hello.';
const ANSWER = 'That number belongs to Jane Doe at Acme Plumbing.';
const HOURS =
  'We are open Monday to Friday from eight in the morning until six in the evening. ' +
  'On Saturdays we open from nine until noon, and we are closed on Sundays and holidays.';
const AFTER_BARGE_IN = 'Okay. What else can I do for you?';

const manifest = `apiVersion: vrm/v1
kind: Agent
name: front-desk
greeting: ${GREETING}
instructions: You are the front desk of Acme Plumbing. Be brief.
llm: { provider: openai, model: gpt-4o-mini }
stt: { provider: deepgram, model: nova-3, language: en-US }
tts: { provider: cartesia, model: sonic-2, voice: a0e99841-438c-4a64-b679-ae501e7d6091 }
turnTaking:
  endpointingMs: 200
  bargeIn: { minDurationMs: 50, resumeOnFalseInterruption: false }
tools:
  - mcp: crm
    allow: [find_contact_by_phone]
`;

/** Media bytes the agent sent before the mark named `name`. */
function bytesBefore(received: readonly TwilioOutboundMessage[], name: string): number {
  let bytes = 0;
  for (const m of received) {
    if (m.event === 'mark' && m.mark.name === name) return bytes;
    if (m.event === 'media') bytes += Buffer.from(m.media.payload, 'base64').byteLength;
  }
  throw new Error(`no mark ${name}`);
}

describe('a Twilio call through the running server', () => {
  let stack: VoiceStack;
  const crmDir = mkdtempSync(path.join(tmpdir(), 'vrm-crm-'));

  beforeAll(async () => {
    stack = await startVoiceStack({
      dataDirs: [crmDir],
      reply: (request) => {
        const last = request.messages.at(-1) as { role: string; content?: unknown };
        if (last.role === 'tool') {
          return String(last.content).includes('Jane Doe') ? ANSWER : 'I could not find that number.';
        }
        const said = String(last.content);
        if (/number/i.test(said)) {
          return {
            toolCalls: [{ name: 'crm__find_contact_by_phone', arguments: { phone: '(415) 555-0123' } }],
          };
        }
        if (/hours/i.test(said)) return HOURS;
        return AFTER_BARGE_IN;
      },
    });
    const crm = await stack.registerMcp({
      name: 'crm',
      trusted: true,
      transport: {
        type: 'stdio',
        command: process.execPath,
        args: [CRM_BIN],
        env: { CRM_DATA_DIR: crmDir, CRM_SEED_DEMO: '1', LOG_LEVEL: 'error' },
      },
    });
    expect(crm.tools.map((t: { name: string }) => t.name)).toContain('find_contact_by_phone');
    await stack.createAgent(manifest);
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('greets, looks the caller up in the CRM, yields to a barge-in and leaves a full trace', async () => {
    stack.script = [
      { transcript: 'Who is calling from this number?' },
      { transcript: 'What are your opening hours?' },
      { transcript: 'Wait, stop please.' },
    ];
    const caller = await stack.dial('front-desk');

    // The greeting, as μ-law from the TTS (the Cartesia test server makes 400 bytes a character).
    await caller.waitForMark('1:end', 15_000);
    expect(bytesBefore(caller.received, '1:end')).toBe(GREETING.length * 400);

    // Turn 1: the model calls the CRM over MCP and answers with what it found.
    await caller.sendAudio(speech(800));
    await caller.waitForMark('2:end', 20_000);
    const contexts = [...stack.cartesia.contexts.values()];
    expect(contexts.map((c) => c.transcript)).toContain(ANSWER);
    const toolResult = stack.openai.requests[1]!.body as {
      messages: Array<{ role: string; content: string }>;
    };
    expect(toolResult.messages.at(-1)).toMatchObject({ role: 'tool' });
    expect(toolResult.messages.at(-1)!.content).toContain('+14155550123');

    // Turn 2: a long answer, interrupted once a second of it has played.
    await caller.sendAudio(speech(800));
    await caller.waitForMark('3:8000', 20_000);
    const cleared = caller.waitFor((m) => m.event === 'clear', 10_000);
    await caller.sendAudio(speech(800));
    await cleared;
    await caller.waitForMark('4:end', 20_000);

    // The model's next request holds only the words of the long answer the caller heard.
    const afterBargeIn = stack.openai.requests.at(-1)!.body as {
      messages: Array<{ role: string; content: string | null }>;
    };
    const messages = afterBargeIn.messages;
    expect(messages.at(-1)).toEqual({ role: 'user', content: 'Wait, stop please.' });
    const interrupted = messages.at(-2)!;
    expect(interrupted.role).toBe('assistant');
    const heard = String(interrupted.content);
    expect(heard.length).toBeGreaterThan(0);
    expect(heard.length).toBeLessThan(HOURS.length);
    expect(HOURS.startsWith(heard)).toBe(true);
    expect(messages.at(-3)).toEqual({ role: 'user', content: 'What are your opening hours?' });

    await caller.hangUp();
    const { call, events } = await stack.finishedCall(caller.callSid);
    expect(caller.violations).toEqual([]);
    expect(stack.deepgram.violations).toEqual([]);
    expect(stack.openai.violations).toEqual([]);
    expect(stack.cartesia.violations).toEqual([]);

    // The call record.
    expect(call).toMatchObject({
      agentName: 'front-desk',
      agentVersion: 1,
      channel: 'twilio',
      fromNumber: CALLER_NUMBER,
      toNumber: AGENT_NUMBER,
      providerCallId: caller.callSid,
      status: 'completed',
      endedReason: 'caller-hangup',
    });
    expect(Date.parse(call.endedAt)).toBeGreaterThanOrEqual(Date.parse(call.startedAt));
    expect(call.durationMs).toBeGreaterThan(0);
    expect(call.counts).toMatchObject({ interruptions: 1, toolCalls: 1, errors: 0 });

    // Every step, timestamped, in order.
    const types = new Set(events.map((e) => e.type));
    for (const type of [
      'call.started',
      'greeting.started',
      'speech.started',
      'transcript.interim',
      'transcript.final',
      'turn.ended',
      'llm.request',
      'llm.first_token',
      'llm.completed',
      'tool.called',
      'tool.result',
      'tts.started',
      'tts.first_audio',
      'tts.done',
      'audio.mark',
      'interruption',
      'audio.cleared',
      'turn.metrics',
      'call.ended',
    ]) {
      expect(types, type).toContain(type);
    }
    for (let i = 1; i < events.length; i++) {
      expect(Date.parse(events[i].at)).toBeGreaterThanOrEqual(Date.parse(events[i - 1].at));
    }
    expect(events.filter((e) => e.type === 'transcript.final').map((e) => e.data.text)).toEqual([
      'Who is calling from this number?',
      'What are your opening hours?',
      'Wait, stop please.',
    ]);
    const toolEvent = events.find((e) => e.type === 'tool.result');
    expect(toolEvent.data).toMatchObject({ server: 'crm', tool: 'find_contact_by_phone', isError: false });
    expect(events.at(-1)).toMatchObject({ type: 'call.ended', data: { reason: 'caller-hangup' } });

    // Per-turn latency figures, one set per caller turn.
    expect(call.turns.map((t: { turnId: number }) => t.turnId)).toEqual([1, 2, 3]);
    for (const turn of call.turns) {
      for (const figure of ['endpointingMs', 'sttMs', 'llmTtftMs', 'ttsTtfbMs', 'voiceToVoiceMs']) {
        expect(turn[figure], `turn ${turn.turnId} ${figure}`).toBeTypeOf('number');
        expect(turn[figure]).toBeGreaterThanOrEqual(0);
      }
    }
  });
});
