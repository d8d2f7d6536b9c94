import { describe, expect, it } from 'vitest';
import { VrmError } from '../errors.js';
import { waitUntil } from '../testing/wait.js';
import { ScriptedLanguageModel, ScriptedTextToSpeech, textReply } from '../voice/scripted-providers.js';
import { EventQueue } from './event-queue.js';
import { withLanguageModelFallback, withSpeechToTextFallback, withTextToSpeechFallback } from './fallback.js';
import type {
  LanguageModel,
  LanguageModelEvent,
  SpeechToText,
  SpeechToTextEvent,
  TextToSpeechEvent,
} from './types.js';
import { TELEPHONY_FORMAT } from './types.js';

const signal = new AbortController().signal;

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of iterable) out.push(x);
  return out;
}

function failingModel(name: string, error = new VrmError('llm_failed', `${name} is down`)): LanguageModel {
  return {
    name,
    model: `${name}-model`,
    // biome-ignore lint/correctness/useYield: fails before its first token
    async *stream() {
      throw error;
    },
  };
}

/** A model that never answers until its request is aborted. */
function hangingModel(name: string): LanguageModel & { aborted: boolean } {
  const model = {
    name,
    model: `${name}-model`,
    aborted: false,
    async *stream(request: { signal: AbortSignal }): AsyncGenerator<LanguageModelEvent> {
      await new Promise<void>((resolve) =>
        request.signal.addEventListener('abort', () => resolve(), { once: true }),
      );
      model.aborted = true;
      throw new Error('aborted');
    },
  };
  return model;
}

describe('withLanguageModelFallback', () => {
  it('answers from the next provider in order when the first fails, and reports the switch', async () => {
    const backup = new ScriptedLanguageModel([textReply('Hello from backup.')], 'backup');
    const llm = withLanguageModelFallback([failingModel('primary'), backup]);
    const events = await collect(llm.stream({ messages: [{ role: 'user', content: 'hi' }], signal }));
    expect(events[0]).toMatchObject({
      type: 'fallback',
      from: 'primary',
      to: 'backup',
      reason: 'primary is down',
    });
    expect(
      events
        .filter((e) => e.type === 'text')
        .map((e) => (e.type === 'text' ? e.delta : ''))
        .join(''),
    ).toBe('Hello from backup.');
    expect(backup.requests[0]!.messages).toEqual([{ role: 'user', content: 'hi' }]);
  });

  it('abandons a provider that misses its first-token budget', async () => {
    const slow = hangingModel('slow');
    const fast = new ScriptedLanguageModel([textReply('Quick.')], 'fast');
    const llm = withLanguageModelFallback([slow, fast], { budgetMs: 20 });
    const events = await collect(llm.stream({ messages: [], signal }));
    expect(events[0]).toMatchObject({ type: 'fallback', from: 'slow', to: 'fast' });
    expect(slow.aborted).toBe(true);
  });

  it('tries a failed provider last until its cooldown passes', async () => {
    const primary = failingModel('primary');
    const backup = new ScriptedLanguageModel([textReply('One.'), textReply('Two.')], 'backup');
    const llm = withLanguageModelFallback([primary, backup], { cooldownMs: 60_000 });
    await collect(llm.stream({ messages: [], signal }));
    const second = await collect(llm.stream({ messages: [], signal }));
    expect(second.some((e) => e.type === 'fallback')).toBe(false);
    expect(llm.model).toBe('scripted-1');
  });

  it('throws the last error when every provider fails', async () => {
    const llm = withLanguageModelFallback([failingModel('a'), failingModel('b')]);
    await expect(collect(llm.stream({ messages: [], signal }))).rejects.toMatchObject({ code: 'llm_failed' });
  });
});

describe('withTextToSpeechFallback', () => {
  it('replays the text into the next provider when the first fails before any audio', async () => {
    const broken = new ScriptedTextToSpeech('broken', { fail: true });
    const good = new ScriptedTextToSpeech('good');
    const tts = withTextToSpeechFallback([broken, good]);
    const ctx = tts.createContext({ voice: 'v', format: TELEPHONY_FORMAT, signal });
    ctx.push('Hello ');
    ctx.push('there.');
    ctx.end();
    const events: TextToSpeechEvent[] = await collect(ctx.events);
    expect(events[0]).toMatchObject({ type: 'fallback', from: 'broken', to: 'good' });
    expect(events.filter((e) => e.type === 'audio')).toHaveLength(2);
    expect(good.contexts[0]).toMatchObject({ text: 'Hello there.', ended: true });
  });
});

describe('withSpeechToTextFallback', () => {
  it('switches provider when the session dies mid-call and keeps the events flowing', async () => {
    const first = new EventQueue<SpeechToTextEvent>();
    const second = new EventQueue<SpeechToTextEvent>();
    const make = (name: string, events: EventQueue<SpeechToTextEvent>, opened: string[]): SpeechToText => ({
      name,
      async open() {
        opened.push(name);
        return { events, push() {}, finalize() {}, close: async () => events.end() };
      },
    });
    const opened: string[] = [];
    const stt = withSpeechToTextFallback([make('a', first, opened), make('b', second, opened)]);
    const session = await stt.open({ format: TELEPHONY_FORMAT, endpointingMs: 300, signal });
    const seen: SpeechToTextEvent[] = [];
    const reading = (async () => {
      for await (const e of session.events) seen.push(e);
    })();
    first.push({ type: 'speech-started', atSec: 0 });
    first.fail(new VrmError('stt_failed', 'socket lost'));
    await waitUntil(() => opened.length === 2, 2000, 'second provider');
    second.push({ type: 'utterance-end', lastWordEndSec: 1 });
    await session.close();
    await reading;
    expect(opened).toEqual(['a', 'b']);
    expect(seen.map((e) => e.type)).toEqual(['speech-started', 'fallback', 'utterance-end']);
  });
});
