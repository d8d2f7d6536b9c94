import { describe, expect, it } from 'vitest';
import { noopMetrics } from './metrics.js';
import { MemoryTraceSink, Tracer } from './trace.js';
import { TurnMetricsRecorder } from './turn-metrics.js';

function setup() {
  const sink = new MemoryTraceSink();
  const recorder = new TurnMetricsRecorder(new Tracer(sink), noopMetrics);
  return { sink, recorder, metrics: () => sink.ofType('turn.metrics').map((e) => [e.turnId, e.data]) };
}

describe('TurnMetricsRecorder', () => {
  it('emits one turn.metrics per turn when its reply first sounds', () => {
    const { recorder, metrics } = setup();
    recorder.turnEnded(1, { speechEndAt: 1000, finalAt: 1250, decidedAt: 1300 });
    recorder.replyStarted(1, 7);
    recorder.llmFirstToken(1, 120);
    recorder.llmFirstToken(1, 999); // a later tool round does not count
    recorder.ttsFirstAudio(7, 80);
    recorder.firstAudioSent(7, 1550);
    recorder.firstAudioSent(7, 1600);
    expect(metrics()).toEqual([
      [1, { endpointingMs: 300, sttMs: 250, llmTtftMs: 120, ttsTtfbMs: 80, voiceToVoiceMs: 550 }],
    ]);
  });

  it('ignores audio of other replies and flushes a turn that never got audio', () => {
    const { recorder, metrics } = setup();
    recorder.turnEnded(1, { speechEndAt: 1000, finalAt: 1200, decidedAt: 1200 });
    recorder.replyStarted(1, 3);
    recorder.firstAudioSent(2, 1300); // the greeting still playing
    recorder.turnEnded(2, { decidedAt: 2000 }); // a keypad turn: no speech figures
    recorder.replyStarted(2, 4);
    recorder.flush();
    expect(metrics()).toEqual([
      [1, { endpointingMs: 200, sttMs: 200 }],
      [2, {}],
    ]);
  });
});
