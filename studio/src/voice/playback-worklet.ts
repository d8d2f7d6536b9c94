/**
 * The speaker side of a browser call, on the audio thread: a queue of the agent's 16 kHz PCM,
 * played at the context's rate on a playback clock. Each `mark` from VRM is echoed back when the
 * clock passes it; `clear` (barge-in) drops the queue and echoes the pending marks at once.
 *
 * `process` allocates nothing and logs nothing; reports are posted only when something changes.
 */
import { PlaybackQueue } from './playback-queue.js';
import {
  CALL_SAMPLE_RATE,
  PLAYBACK_PROCESSOR,
  type PlaybackCommand,
  type PlaybackReport,
} from './worklet-messages.js';
import { scope, type WorkletProcessor } from './worklet-scope.js';

class PlaybackProcessor extends scope.AudioWorkletProcessor implements WorkletProcessor {
  readonly #queue = new PlaybackQueue(CALL_SAMPLE_RATE, scope.sampleRate);
  readonly #echo = (name: string) => this.#report({ type: 'mark', name });
  #playing = false;
  #running = true;

  constructor() {
    super();
    this.port.onmessage = (event: MessageEvent<Int16Array | PlaybackCommand>) => {
      const data = event.data;
      if (data instanceof Int16Array) {
        this.#queue.write(data);
        const dropped = this.#queue.takeDropped();
        if (dropped > 0) this.#report({ type: 'overflow', droppedMs: (dropped / CALL_SAMPLE_RATE) * 1000 });
      } else if (data.type === 'mark') {
        // With nothing queued the mark is already "played"; the next render releases it.
        if (!this.#queue.mark(data.name)) this.#echo(data.name);
      } else if (data.type === 'clear') {
        this.#queue.clear(this.#echo);
      } else {
        this.#running = false;
      }
    };
  }

  process(_inputs: Float32Array[][], outputs: Float32Array[][]): boolean {
    const out = outputs[0];
    const first = out?.[0];
    if (!out || !first) return this.#running;
    const before = this.#queue.queued;
    this.#queue.render(first, this.#echo);
    // Any further output channels (a stereo destination) play the same mono signal.
    for (let c = 1; c < out.length; c++) out[c]!.set(first);
    const playing = before > 0;
    if (playing !== this.#playing) {
      this.#playing = playing;
      this.#report({ type: 'playing', playing });
    }
    return this.#running;
  }

  #report(message: PlaybackReport) {
    this.port.postMessage(message);
  }
}

scope.registerProcessor(PLAYBACK_PROCESSOR, PlaybackProcessor);
