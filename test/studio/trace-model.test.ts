import { describe, expect, it } from 'vitest';
import type { CallEvent } from '../../studio/src/api/types.js';
import { buildTrace, mergeEvents } from '../../studio/src/trace/model.js';

let seq = 0;
const ev = (
  type: string,
  turnId: number,
  offsetMs: number,
  data: Record<string, unknown> = {},
): CallEvent => ({
  callId: 'c1',
  seq: ++seq,
  type,
  turnId,
  at: new Date(1_700_000_000_000 + offsetMs).toISOString(),
  offsetMs,
  data,
});

const VOICE_TURN = [
  ev('greeting.started', 0, 0, { text: 'Hello, Acme here.' }),
  // Stamped with the turn in progress (the greeting's); it opens turn 1.
  ev('speech.started', 0, 1000),
  ev('turn.ended', 1, 2200, { text: 'Book me in', source: 'voice' }),
  ev('llm.request', 1, 2210, { model: 'gpt-4o-mini', round: 0 }),
  ev('llm.first_token', 1, 2500, { ms: 290 }),
  ev('llm.completed', 1, 2600, { finishReason: 'tool_calls', text: '', toolCalls: ['crm__book'] }),
  ev('tool.called', 1, 2610, { tool: 'crm__book', callId: 't1', arguments: { day: 'Mon' } }),
  ev('fallback', 1, 2700, { kind: 'llm', from: 'openai', to: 'groq', reason: 'timeout' }),
  ev('tool.result', 1, 3800, { callId: 't1', ok: true, ms: 1190 }),
  ev('llm.request', 1, 3810, { model: 'gpt-4o-mini', round: 1 }),
  ev('llm.completed', 1, 3890, { finishReason: 'stop', text: 'You are booked for Monday.', toolCalls: [] }),
  ev('tts.started', 1, 3900, { provider: 'cartesia' }),
  ev('interruption', 1, 4000, { cause: 'speech' }),
  ev('tts.first_audio', 1, 4100, { ms: 200 }),
  ev('turn.metrics', 1, 4100, {
    endpointingMs: 180,
    sttMs: 120,
    llmTtftMs: 290,
    ttsTtfbMs: 200,
    voiceToVoiceMs: 1900,
  }),
];

describe('the trace inspector reads a call as turns and a conversation', () => {
  it('draws each turn as spans with their durations, the slow tool standing out', () => {
    const { turns } = buildTrace(VOICE_TURN);
    const turn = turns.find((t) => t.turnId === 1)!;
    const spans = turn.spans.map((s) => [s.kind, s.label, s.end - s.start, s.open]);
    expect(spans).toEqual([
      ['speech', 'Caller speech + endpointing', 1200, false],
      ['llm', 'LLM gpt-4o-mini', 390, false],
      ['tool', 'crm__book', 1190, false],
      ['llm', 'LLM gpt-4o-mini · round 2', 80, false],
      ['tts', 'TTS cartesia', 200, false],
    ]);
    expect(turn.spans[1]!.detail).toBe('first token 290 ms · finish: tool_calls · calls crm__book');
    expect(turn.latencyMs).toBe(1900);
    expect(turn.metrics).toEqual({
      endpointingMs: 180,
      sttMs: 120,
      llmTtftMs: 290,
      ttsTtfbMs: 200,
      voiceToVoiceMs: 1900,
    });
    expect(turn.callerText).toBe('Book me in');
    expect(turn.markers.map((m) => m.label)).toEqual([
      'Fallback llm: openai → groq (timeout)',
      'Caller interrupted (speech)',
    ]);
  });

  it("tells the conversation in order: greeting, caller, tool calls, the agent's reply, interruptions", () => {
    const { transcript } = buildTrace(VOICE_TURN);
    expect(transcript.map((e) => `${e.role}: ${e.text}`)).toEqual([
      'agent: Hello, Acme here.',
      'caller: Book me in',
      'tool: crm__book({"day":"Mon"}) → ok',
      'agent: You are booked for Monday.',
      'system: Caller interrupted (speech)',
    ]);
  });

  it('reads a text session: greeting, typed and keypad turns, replies and the end of the call', () => {
    const events = [
      ev('greeting.started', 0, 0, { text: 'Hi there.' }),
      ev('turn.ended', 1, 900, { text: 'Hello?', source: 'text' }),
      ev('llm.request', 1, 905, { model: 'gpt-4o-mini', round: 0 }),
      ev('llm.completed', 1, 1200, { finishReason: 'stop', text: 'How can I help?', toolCalls: [] }),
      ev('turn.metrics', 1, 1200, { llmTtftMs: 150 }),
      ev('turn.ended', 2, 3000, { text: '1', source: 'dtmf' }),
      ev('call.ended', 2, 3100, { reason: 'ended_by_user' }),
    ];
    const { transcript, turns } = buildTrace(events);
    expect(transcript.map((e) => `${e.role}: ${e.text}`)).toEqual([
      'agent: Hi there.',
      'caller: Hello?',
      'agent: How can I help?',
      'caller: Keypad: 1',
      'system: Call ended: ended_by_user',
    ]);
    // No voice, so no voice-to-voice figure: the badge stays off.
    expect(turns.find((t) => t.turnId === 1)!.latencyMs).toBeUndefined();
  });

  it('keeps spans of a live call open until their end arrives, and merges late events once', () => {
    const partial = VOICE_TURN.slice(0, 7);
    const open = buildTrace(partial)
      .turns.find((t) => t.turnId === 1)!
      .spans.find((s) => s.kind === 'tool')!;
    expect(open.open).toBe(true);
    const merged = mergeEvents(partial, [VOICE_TURN[6]!, ...VOICE_TURN.slice(7)]);
    expect(merged.map((e) => e.seq)).toEqual(VOICE_TURN.map((e) => e.seq));
    const closed = buildTrace(merged)
      .turns.find((t) => t.turnId === 1)!
      .spans.find((s) => s.kind === 'tool')!;
    expect(closed.open).toBe(false);
  });

  it('puts caller speech in the turn it opens, and marks speech ignored while barge-in is off', () => {
    const events = [
      ev('greeting.started', 0, 0, { text: 'Hi.' }),
      ev('speech.started', 0, 300),
      ev('speech.ignored', 0, 900, { text: 'hello?' }),
      ev('speech.started', 0, 2000),
    ];
    const live = buildTrace(events).turns.find((t) => t.turnId === 1)!;
    expect(live.spans.map((s) => [s.label, s.open])).toEqual([
      ['Caller speech, ignored (barge-in off)', false],
      ['Caller speech', true],
    ]);
    const done = buildTrace([...events, ev('turn.ended', 1, 2600, { text: 'Hours?', source: 'speech' })]);
    const turn = done.turns.find((t) => t.turnId === 1)!;
    expect(turn.spans.at(-1)).toMatchObject({ label: 'Caller speech + endpointing', start: 2000, end: 2600 });
    expect(turn.callerText).toBe('Hours?');
  });
});
