import { TELEPHONY_FRAME_MS } from '../audio/frames.js';
import { EventQueue } from '../providers/event-queue.js';
import {
  type AudioFormat,
  bytesPerSecond,
  type ChatMessage,
  type LanguageModel,
  type LanguageModelEvent,
  type LanguageModelRequest,
  type SpeechToText,
  type SpeechToTextEvent,
  type SpeechToTextOptions,
  type SpeechToTextSession,
  TELEPHONY_FORMAT,
  type Telephony,
  type TelephonyEvent,
  type TextToSpeech,
  type TextToSpeechContext,
  type TextToSpeechEvent,
  type TextToSpeechOptions,
} from '../providers/types.js';

/**
 * In-memory providers that implement the provider interfaces from a script. They exercise the
 * loop's logic (turn-taking, barge-in, tools, fallback) without sockets; the adapters themselves
 * are tested against the protocol servers in `runtime/src/testing`.
 */

/** One scripted model reply: events to stream, or a function of the request. */
export type ScriptedReply =
  | readonly LanguageModelEvent[]
  | ((
      request: LanguageModelRequest,
    ) => readonly LanguageModelEvent[] | Promise<readonly LanguageModelEvent[]>);

export class ScriptedLanguageModel implements LanguageModel {
  readonly requests: { messages: readonly ChatMessage[]; tools: readonly string[] }[] = [];
  private readonly replies: ScriptedReply[];

  constructor(
    replies: readonly ScriptedReply[],
    readonly name = 'scripted',
    readonly model = 'scripted-1',
  ) {
    this.replies = [...replies];
  }

  async *stream(request: LanguageModelRequest): AsyncGenerator<LanguageModelEvent> {
    this.requests.push({ messages: request.messages, tools: (request.tools ?? []).map((t) => t.name) });
    const reply = this.replies.shift();
    if (!reply) throw new Error('ScriptedLanguageModel: no reply scripted for this request');
    const events = typeof reply === 'function' ? await reply(request) : reply;
    for (const e of events) {
      if (request.signal.aborted) throw new Error('aborted');
      // Yield to the event loop between tokens, like a network stream.
      await new Promise((resolve) => setImmediate(resolve));
      yield e;
    }
    if (!events.some((e) => e.type === 'done'))
      yield { type: 'done', finishReason: 'stop', model: this.model };
  }
}

/** Token deltas of `text` (split on spaces, spaces kept). */
export function textReply(text: string): LanguageModelEvent[] {
  return text.split(/(?<= )/).map((delta) => ({ type: 'text', delta }));
}

export function toolCallReply(
  name: string,
  args: Record<string, unknown>,
  id = `call_${name}`,
): LanguageModelEvent[] {
  return [
    { type: 'tool-call', call: { id, name, arguments: JSON.stringify(args) } },
    { type: 'done', finishReason: 'tool_calls', model: 'scripted-1' },
  ];
}

export class ScriptedSpeechToText implements SpeechToText {
  readonly sessions: ScriptedSttSession[] = [];
  /** `connecting`: `open` waits for it, as a recogniser's handshake does. */
  constructor(
    readonly name = 'scripted-stt',
    private readonly connecting?: Promise<void>,
  ) {}
  async open(options: SpeechToTextOptions): Promise<SpeechToTextSession> {
    await this.connecting;
    const session = new ScriptedSttSession(options);
    this.sessions.push(session);
    return session;
  }
  /** The live session (the loop opens one per call). */
  get session(): ScriptedSttSession {
    const s = this.sessions[this.sessions.length - 1];
    if (!s) throw new Error('no STT session opened yet');
    return s;
  }
}

export class ScriptedSttSession implements SpeechToTextSession {
  readonly events = new EventQueue<SpeechToTextEvent>();
  audioBytes = 0;
  /** The first byte of every 20 ms frame pushed, in order (the feed may send several in one message). */
  readonly frameMarkers: number[] = [];
  finalized = false;
  closed = false;
  readonly #frameBytes: number;
  constructor(readonly options: SpeechToTextOptions) {
    this.#frameBytes = (bytesPerSecond(options.format) * TELEPHONY_FRAME_MS) / 1000;
  }
  push(audio: Uint8Array): void {
    this.audioBytes += audio.byteLength;
    for (let i = 0; i < audio.byteLength; i += this.#frameBytes) this.frameMarkers.push(audio[i]!);
  }
  finalize(): void {
    this.finalized = true;
  }
  async close(): Promise<void> {
    this.closed = true;
    this.events.end();
  }
  /** The caller says `text`: speech-started, an interim, then a final with endpointing. */
  say(text: string, seconds = 1): void {
    this.events.push({ type: 'speech-started', atSec: 0 });
    this.events.push({
      type: 'transcript',
      text,
      final: false,
      speechFinal: false,
      confidence: 0.9,
      startSec: 0,
      endSec: seconds,
    });
    this.events.push({
      type: 'transcript',
      text,
      final: true,
      speechFinal: true,
      confidence: 0.95,
      startSec: 0,
      endSec: seconds,
    });
  }
  emit(event: SpeechToTextEvent): void {
    this.events.push(event);
  }
}

/**
 * TTS that turns each word into `secondsPerWord` of silence-valued audio and reports word
 * timings, once the context ends. `fail` makes contexts fail before any audio.
 */
export class ScriptedTextToSpeech implements TextToSpeech {
  readonly contexts: { text: string; ended: boolean; cancelled: boolean; format: AudioFormat }[] = [];
  constructor(
    readonly name = 'scripted-tts',
    private readonly behaviour: { secondsPerWord?: number; fail?: boolean; silent?: boolean } = {},
  ) {}

  createContext(options: TextToSpeechOptions): TextToSpeechContext {
    const record = { text: '', ended: false, cancelled: false, format: options.format };
    this.contexts.push(record);
    const events = new EventQueue<TextToSpeechEvent>(4096, () => false);
    const { secondsPerWord = 0.5, fail = false, silent = false } = this.behaviour;
    const bytesPerWord = Math.round(bytesPerSecond(options.format) * secondsPerWord);
    const cancel = () => {
      record.cancelled = true;
      events.end();
    };
    options.signal.addEventListener('abort', cancel, { once: true });
    return {
      id: `ctx-${this.contexts.length}`,
      events,
      push: (text) => {
        record.text += text;
      },
      flush: () => {},
      cancel,
      end: () => {
        record.ended = true;
        if (record.cancelled || silent) return;
        setImmediate(() => {
          if (fail) return events.fail(new Error(`${this.name} failed`));
          const words = record.text.split(/\s+/).filter(Boolean);
          for (const _ of words)
            events.push({ type: 'audio', data: new Uint8Array(bytesPerWord).fill(0xff) });
          events.push({
            type: 'words',
            words,
            startSec: words.map((_, i) => i * secondsPerWord),
            endSec: words.map((_, i) => (i + 1) * secondsPerWord),
          });
          events.end();
        });
      },
    };
  }
}

/** A carrier leg driven by the test: caller events in, everything the agent sends recorded. */
export class FakeTelephony implements Telephony {
  readonly inputFormat = TELEPHONY_FORMAT;
  readonly outputFormat = TELEPHONY_FORMAT;
  readonly sent: ({ type: 'audio'; bytes: number } | { type: 'mark'; name: string } | { type: 'clear' })[] =
    [];
  hungUp = false;
  transferredTo: string | undefined;
  private readonly inbound = new EventQueue<TelephonyEvent>(1024, () => false);
  private audioListener: ((data: Uint8Array) => void) | undefined;
  /** Present unless `audioFastPath: false` (then caller audio arrives as events, the fallback path). */
  readonly onAudio?: (listener: ((data: Uint8Array) => void) | undefined) => void;

  /** `echoMarks`: echo each mark as soon as it is sent (instant playback). */
  constructor(private readonly options: { echoMarks?: boolean; audioFastPath?: boolean } = {}) {
    if (options.audioFastPath !== false) {
      this.onAudio = (listener) => {
        this.audioListener = listener;
      };
    }
  }

  events(): AsyncIterable<TelephonyEvent> {
    return this.inbound;
  }
  sendAudio(data: Uint8Array): void {
    this.sent.push({ type: 'audio', bytes: data.byteLength });
  }
  sendMark(name: string): void {
    this.sent.push({ type: 'mark', name });
    if (this.options.echoMarks) this.inbound.push({ type: 'mark', name });
  }
  clear(): void {
    this.sent.push({ type: 'clear' });
  }
  async hangUp(): Promise<void> {
    this.hungUp = true;
    this.inbound.end();
  }
  async transfer(target: string): Promise<void> {
    this.transferredTo = target;
    this.inbound.end();
  }
  caller(event: TelephonyEvent): void {
    if (event.type === 'audio' && this.audioListener) this.audioListener(event.data);
    else this.inbound.push(event);
  }
  /** The caller hangs up. */
  stop(): void {
    this.inbound.push({ type: 'stop' });
  }
  get marks(): string[] {
    return this.sent.flatMap((s) => (s.type === 'mark' ? [s.name] : []));
  }
  get audioBytes(): number {
    return this.sent.reduce((n, s) => n + (s.type === 'audio' ? s.bytes : 0), 0);
  }
}
