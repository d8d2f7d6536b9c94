import { describe, expect, it } from 'vitest';
import { createLogger } from '../kernel/logger.js';
import { EventQueue } from '../providers/event-queue.js';
import { type SpeechToTextEvent, type SpeechToTextSession, TELEPHONY_FORMAT } from '../providers/types.js';
import { FrameChannel } from './channel.js';
import type { Frame } from './frames.js';
import { TurnCounter } from './generations.js';
import { noopMetrics } from './metrics.js';
import type { StageContext } from './pipeline.js';
import { createSttStage } from './stt-stage.js';
import { MemoryTraceSink, Tracer } from './trace.js';

const transcript = (text: string, final = false): SpeechToTextEvent => ({
  type: 'transcript',
  text,
  final,
  speechFinal: final,
  confidence: 0.9,
  startSec: 0,
  endSec: 0,
});

/** Runs the STT stage over a recogniser that reports `events`, returning the frames it passed on. */
async function framesFor(events: SpeechToTextEvent[]) {
  const queue = new EventQueue<SpeechToTextEvent>(100);
  const session: SpeechToTextSession = {
    push: () => {},
    events: queue,
    finalize: () => {},
    close: async () => queue.end(),
  };
  const stage = createSttStage({
    stt: { name: 'scripted', open: async () => session },
    format: TELEPHONY_FORMAT,
    language: 'en',
    endpointingMs: 300,
    utteranceEndMs: 1000,
    keyterms: [],
    turns: new TurnCounter(),
  });
  const trace = new MemoryTraceSink();
  const ctx: StageContext = {
    signal: new AbortController().signal,
    log: createLogger('silent'),
    metrics: noopMetrics,
    trace: new Tracer(trace),
    notify: () => {},
  };
  for (const e of events) queue.push(e);
  queue.end();
  const input = new FrameChannel();
  const out: Frame[] = [];
  const running = (async () => {
    for await (const f of stage.run(input, ctx)) out.push(f);
  })();
  // The stage ends once the recogniser's events end and its input closes.
  input.close();
  await running;
  return { out, trace };
}

describe('STT stage', () => {
  it('passes on the first empty interim after words and drops the repeats recognisers send through silence', async () => {
    const { out, trace } = await framesFor([
      transcript(''),
      transcript('hello'),
      transcript('hello'),
      transcript(''),
      transcript(''),
      transcript('hello there', true),
      transcript(''),
      transcript(''),
    ]);
    const texts = out.flatMap((f) =>
      f.type === 'transcript' ? [`${f.final ? 'final' : 'interim'}:${f.text}`] : [],
    );
    // The first empty interim of the call says nothing either: nothing was heard before it.
    expect(texts).toEqual(['interim:hello', 'interim:hello', 'interim:', 'final:hello there']);
    // The same words are traced once; withdrawn words and silence are not traced.
    expect(trace.ofType('transcript.interim').map((e) => e.data.text)).toEqual(['hello']);
    expect(trace.ofType('transcript.final').map((e) => e.data.text)).toEqual(['hello there']);
  });
});
