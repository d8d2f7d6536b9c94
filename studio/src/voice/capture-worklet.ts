/**
 * The microphone side of a browser call, on the audio thread: takes the mono input at the
 * context's rate, resamples it to 16 kHz, converts it to 16-bit PCM and posts one 20 ms frame
 * (320 samples) at a time to the main thread, which sends it over the call's WebSocket.
 *
 * `process` runs every 128 samples (under 3 ms at 48 kHz): it allocates nothing and logs
 * nothing. The frame buffer is reused; `postMessage` copies it.
 */
import { floatToPcm16, Resampler } from './resampler.js';
import { CALL_SAMPLE_RATE, CAPTURE_PROCESSOR, type CaptureCommand, FRAME_MS } from './worklet-messages.js';
import { scope, type WorkletProcessor } from './worklet-scope.js';

/** Render quanta are 128 frames today; leave room should a browser use larger ones. */
const MAX_QUANTUM = 1024;

class CaptureProcessor extends scope.AudioWorkletProcessor implements WorkletProcessor {
  readonly #resampler = new Resampler(scope.sampleRate, CALL_SAMPLE_RATE);
  readonly #scratch = new Float32Array(this.#resampler.maxOutput(MAX_QUANTUM));
  readonly #frame = new Int16Array((CALL_SAMPLE_RATE * FRAME_MS) / 1000);
  #fill = 0;
  #running = true;

  constructor() {
    super();
    this.port.onmessage = (event: MessageEvent<CaptureCommand>) => {
      if (event.data.type === 'stop') this.#running = false;
    };
  }

  process(inputs: Float32Array[][]): boolean {
    const channel = inputs[0]?.[0];
    // No input yet (the track is starting) or any more (it ended): nothing to send.
    if (!channel || !this.#running) return this.#running;
    const scratch = this.#scratch;
    const frame = this.#frame;
    const n = this.#resampler.process(channel, scratch);
    let fill = this.#fill;
    for (let i = 0; i < n; i++) {
      frame[fill++] = floatToPcm16(scratch[i]!);
      if (fill === frame.length) {
        this.port.postMessage(frame);
        fill = 0;
      }
    }
    this.#fill = fill;
    return true;
  }
}

scope.registerProcessor(CAPTURE_PROCESSOR, CaptureProcessor);
