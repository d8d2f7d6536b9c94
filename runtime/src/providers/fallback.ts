import { VrmError } from '../errors.js';
import {
  bytesPerSecond,
  type FallbackNotice,
  type LanguageModel,
  type LanguageModelEvent,
  type LanguageModelRequest,
  type SpeechToText,
  type SpeechToTextEvent,
  type SpeechToTextOptions,
  type SpeechToTextSession,
  type TextToSpeech,
  type TextToSpeechContext,
  type TextToSpeechEvent,
  type TextToSpeechOptions,
} from './types.js';

/**
 * Provider fallback, one wrapper per kind. Providers are tried in the manifest's order; a provider
 * that fails, or misses its latency budget (first token, first audio, connection), is abandoned
 * for the next one without dropping the call, and the switch is reported in-band as a `fallback`
 * event that the loop traces. Once a provider has produced output for a request it is committed:
 * later failures surface, since words already spoken cannot be taken back.
 */
export interface FallbackOptions {
  /** Budget for the first token / first audio / open connection, per attempt. */
  readonly budgetMs?: number;
  /** How long a failed provider is skipped before it is tried first again. */
  readonly cooldownMs?: number;
}

const DEFAULT_BUDGET_MS = { llm: 4000, tts: 3000, stt: 4000 } as const;
const DEFAULT_COOLDOWN_MS = 30_000;

/** Orders providers healthy-first, keeping the configured order within each group. */
class Health<P extends { readonly name: string }> {
  private readonly downUntil = new Map<P, number>();
  constructor(
    private readonly providers: readonly P[],
    private readonly cooldownMs: number,
  ) {
    if (providers.length === 0) throw new Error('withFallback needs at least one provider');
  }
  order(): P[] {
    const now = performance.now();
    const healthy = this.providers.filter((p) => (this.downUntil.get(p) ?? 0) <= now);
    return healthy.length === this.providers.length
      ? [...this.providers]
      : [...healthy, ...this.providers.filter((p) => !healthy.includes(p))];
  }
  failed(p: P): void {
    this.downUntil.set(p, performance.now() + this.cooldownMs);
  }
  ok(p: P): void {
    this.downUntil.delete(p);
  }
}

function notice(from: string, to: string, error: unknown): FallbackNotice {
  return { type: 'fallback', from, to, reason: error instanceof Error ? error.message : String(error) };
}

function budgetError(kind: string, provider: string, ms: number): VrmError {
  return new VrmError(`${kind}_timeout`, `${provider} produced nothing within ${ms} ms`, { retryable: true });
}

/** Races `promise` against `ms`; rejects with `onTimeout()` when the budget runs out first. */
async function within<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(onTimeout()), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------------

/** A language model that falls back across `providers` before the first token. */
export function withLanguageModelFallback(
  providers: readonly LanguageModel[],
  options: FallbackOptions = {},
): LanguageModel {
  if (providers.length === 1) return providers[0]!;
  const health = new Health(providers, options.cooldownMs ?? DEFAULT_COOLDOWN_MS);
  const budget = options.budgetMs ?? DEFAULT_BUDGET_MS.llm;
  return {
    name: providers.map((p) => p.name).join('|'),
    get model() {
      return health.order()[0]!.model;
    },
    async *stream(request: LanguageModelRequest): AsyncGenerator<LanguageModelEvent> {
      const order = health.order();
      let lastError: unknown;
      for (let i = 0; i < order.length; i++) {
        const provider = order[i]!;
        const attempt = new AbortController();
        const signal = AbortSignal.any([attempt.signal, request.signal]);
        const iterator = provider.stream({ ...request, signal })[Symbol.asyncIterator]();
        let first: IteratorResult<LanguageModelEvent>;
        try {
          first = await within(iterator.next(), budget, () => budgetError('llm', provider.name, budget));
        } catch (error) {
          attempt.abort();
          if (request.signal.aborted) throw error;
          health.failed(provider);
          lastError = error;
          const next = order[i + 1];
          if (next) yield notice(provider.name, next.name, error);
          continue;
        }
        health.ok(provider);
        if (!first.done) yield first.value;
        for (;;) {
          const r = await iterator.next();
          if (r.done) return;
          yield r.value;
        }
      }
      throw lastError instanceof VrmError
        ? lastError
        : new VrmError('llm_failed', 'Every language model provider failed', {
            cause: lastError,
            retryable: true,
          });
    },
  };
}

// ---------------------------------------------------------------------------------------------

/** Text-to-speech that falls back before a context's first audio, replaying its text. */
export function withTextToSpeechFallback(
  providers: readonly TextToSpeech[],
  options: FallbackOptions = {},
): TextToSpeech {
  if (providers.length === 1) return providers[0]!;
  const health = new Health(providers, options.cooldownMs ?? DEFAULT_COOLDOWN_MS);
  const budget = options.budgetMs ?? DEFAULT_BUDGET_MS.tts;
  return {
    name: providers.map((p) => p.name).join('|'),
    createContext: (ctxOptions) => new FallbackTtsContext(health, ctxOptions, budget),
    // The provider the next context will start with.
    warmUp: () => health.order()[0]?.warmUp?.(),
    async close() {
      await Promise.all(providers.map((p) => p.close?.()));
    },
  };
}

class FallbackTtsContext implements TextToSpeechContext {
  readonly id: string;
  private readonly order: TextToSpeech[];
  private index = 0;
  private inner: TextToSpeechContext;
  /** What was pushed so far, replayed into the next provider; a reply is short. */
  private text = '';
  private ended = false;
  private cancelled = false;

  constructor(
    private readonly health: Health<TextToSpeech>,
    private readonly options: TextToSpeechOptions,
    private readonly budget: number,
  ) {
    this.order = health.order();
    this.inner = this.order[0]!.createContext(options);
    this.id = this.inner.id;
  }

  push(text: string): void {
    this.text += text;
    this.inner.push(text);
  }
  flush(): void {
    this.inner.flush();
  }
  end(): void {
    this.ended = true;
    this.inner.end();
  }
  cancel(): void {
    this.cancelled = true;
    this.inner.cancel();
  }

  get events(): AsyncIterable<TextToSpeechEvent> {
    return this.run();
  }

  private async *run(): AsyncGenerator<TextToSpeechEvent> {
    for (;;) {
      const provider = this.order[this.index]!;
      const iterator = this.inner.events[Symbol.asyncIterator]();
      let first: IteratorResult<TextToSpeechEvent>;
      try {
        first = await within(iterator.next(), this.budget, () =>
          budgetError('tts', provider.name, this.budget),
        );
      } catch (error) {
        this.inner.cancel();
        if (this.cancelled || this.options.signal.aborted) return;
        this.health.failed(provider);
        const next = this.order[this.index + 1];
        if (!next) throw error;
        yield notice(provider.name, next.name, error);
        this.index++;
        this.inner = next.createContext(this.options);
        if (this.text !== '') this.inner.push(this.text);
        if (this.ended) this.inner.end();
        continue;
      }
      this.health.ok(provider);
      if (first.done) return;
      yield first.value;
      for (;;) {
        const r = await iterator.next();
        if (r.done) return;
        yield r.value;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------

/** Speech-to-text that falls back when opening fails or a session dies mid-call. */
export function withSpeechToTextFallback(
  providers: readonly SpeechToText[],
  options: FallbackOptions = {},
): SpeechToText {
  if (providers.length === 1) return providers[0]!;
  const health = new Health(providers, options.cooldownMs ?? DEFAULT_COOLDOWN_MS);
  const budget = options.budgetMs ?? DEFAULT_BUDGET_MS.stt;
  return {
    name: providers.map((p) => p.name).join('|'),
    async open(sttOptions) {
      const session = new FallbackSttSession(health, sttOptions, budget);
      await session.openNext(undefined);
      return session;
    },
  };
}

class FallbackSttSession implements SpeechToTextSession {
  private readonly order: SpeechToText[];
  private index = -1;
  private inner: SpeechToTextSession | undefined;
  private readonly notices: FallbackNotice[] = [];
  private closed = false;
  /** Audio pushed so far, and the offset (s) at which the current provider's audio starts. */
  private pushedBytes = 0;
  private baseSec = 0;

  constructor(
    private readonly health: Health<SpeechToText>,
    private readonly options: SpeechToTextOptions,
    private readonly budget: number,
  ) {
    this.order = health.order();
  }

  /** Opens the next provider that connects within budget; throws when none is left. */
  async openNext(cause: unknown): Promise<void> {
    let lastError = cause;
    for (this.index++; this.index < this.order.length; this.index++) {
      const provider = this.order[this.index]!;
      const previous = this.order[this.index - 1];
      if (previous) this.notices.push(notice(previous.name, provider.name, lastError));
      try {
        this.inner = await within(provider.open(this.options), this.budget, () =>
          budgetError('stt', provider.name, this.budget),
        );
        // The new provider counts from its first byte: keep offsets in the session's audio.
        this.baseSec = this.pushedBytes / bytesPerSecond(this.options.format);
        this.health.ok(provider);
        return;
      } catch (error) {
        this.health.failed(provider);
        lastError = error;
      }
    }
    throw lastError instanceof VrmError
      ? lastError
      : new VrmError('stt_failed', 'Every speech-to-text provider failed', {
          cause: lastError,
          retryable: true,
        });
  }

  push(audio: Uint8Array): void {
    this.pushedBytes += audio.byteLength;
    this.inner?.push(audio);
  }
  finalize(): void {
    this.inner?.finalize();
  }
  async close(): Promise<void> {
    this.closed = true;
    await this.inner?.close();
  }

  get events(): AsyncIterable<SpeechToTextEvent> {
    return this.run();
  }

  private shift(e: SpeechToTextEvent): SpeechToTextEvent {
    const base = this.baseSec;
    switch (e.type) {
      case 'transcript':
        return { ...e, startSec: base + e.startSec, endSec: base + e.endSec };
      case 'speech-started':
        return { ...e, atSec: base + e.atSec };
      case 'utterance-end':
        return { ...e, lastWordEndSec: base + e.lastWordEndSec };
      default:
        return e;
    }
  }

  private async *run(): AsyncGenerator<SpeechToTextEvent> {
    for (;;) {
      yield* this.notices.splice(0);
      const inner = this.inner!;
      try {
        for await (const e of inner.events) yield this.baseSec === 0 ? e : this.shift(e);
        return;
      } catch (error) {
        if (this.closed || this.options.signal.aborted) return;
        this.health.failed(this.order[this.index]!);
        this.inner = undefined;
        await this.openNext(error);
      }
    }
  }
}
