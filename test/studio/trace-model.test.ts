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
  ev('speech.started', 1, 1000),
  ev('turn.ended', 1, 2200, { text: 'Book me in', source: 'voice' }),
  ev('llm.request', 1, 2210, { model: 'gpt-4o-mini', round: 0 }),
  ev('llm.first_token', 1, 2500, { ms: 290 }),
  ev('llm.completed', 1, 2600, { finishReason: 'tool_calls' }),
  ev('tool.called', 1, 2610, { tool: 'crm__book', callId: 't1', arguments: { day: 'Mon' } }),
  ev('fallback', 1, 2700, { kind: 'llm', from: 'openai', to: 'groq', reason: 'timeout' }),
  ev('tool.result', 1, 3800, { callId: 't1', ok: true, ms: 1190 }),
  ev('tts.started', 1, 3900, { provider: 'cartesia' }),
  ev('interruption', 1, 4000, { cause: 'speech' }),
  ev('tts.first_audio', 1, 4100, { ms: 200 }),
  ev('turn.latency', 1, 4100, { ms: 1900 }),
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
      ['tts', 'TTS cartesia', 200, false],
    ]);
    expect(turn.latencyMs).toBe(1900);
    expect(turn.callerText).toBe('Book me in');
    expect(turn.markers.map((m) => m.label)).toEqual([
      'Fallback llm: openai → groq (timeout)',
      'Caller interrupted (speech)',
    ]);
  });

  it('tells the conversation in order: greeting, caller, tool calls, interruptions', () => {
    const { transcript } = buildTrace(VOICE_TURN);
    expect(transcript.map((e) => `${e.role}: ${e.text}`)).toEqual([
      'agent: Hello, Acme here.',
      'caller: Book me in',
      'tool: crm__book({"day":"Mon"}) → ok',
      'system: Caller interrupted (speech)',
    ]);
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
});
