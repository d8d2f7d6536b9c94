import { CallProblem, insecurePageProblem, microphoneProblem } from './call-problems.js';
import captureWorkletUrl from './capture-worklet.ts?worker&url';
import playbackWorkletUrl from './playback-worklet.ts?worker&url';
import {
  CAPTURE_PROCESSOR,
  type CaptureCommand,
  PLAYBACK_PROCESSOR,
  type PlaybackCommand,
  type PlaybackReport,
} from './worklet-messages.js';

export interface CallAudioEvents {
  /** The playback clock passed a mark (or a clear released it): echo it to VRM. */
  onMark(name: string): void;
  /** The agent's audio started or stopped playing. */
  onPlaying(playing: boolean): void;
  /** The playback queue was full and audio was dropped. */
  onOverflow(droppedMs: number): void;
}

/** The microphone and the speaker of a browser call, as 16 kHz PCM16 frames in and out. */
export interface CallAudio {
  /** Starts handing 20 ms microphone frames to `onFrame` (until `close`). */
  startCapture(onFrame: (frame: Int16Array<ArrayBuffer>) => void): void;
  /** Queues the agent's audio (16-bit little-endian PCM at 16 kHz). */
  play(pcm: ArrayBuffer): void;
  /** A mark after the audio queued so far. */
  mark(name: string): void;
  /** Barge-in: drop queued audio; pending marks are released at once. */
  clear(): void;
  /** A muted microphone sends silence, as a muted phone does, so the call stays open. */
  setMuted(muted: boolean): void;
  close(): Promise<void>;
}

/**
 * Opens the microphone (echo cancellation on) and an audio context with the capture and playback
 * worklets. Call it from a click handler: the context is created before the first `await`, while
 * the page still holds the user's gesture, so autoplay rules let it play. Throws a
 * {@link CallProblem} a person can act on when the microphone is unavailable.
 */
export async function openCallAudio(events: CallAudioEvents): Promise<CallAudio> {
  if (!navigator.mediaDevices?.getUserMedia) throw insecurePageProblem();
  const context = new AudioContext({ latencyHint: 'interactive' });
  let stream: MediaStream | undefined;
  try {
    const resumed = context.resume();
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true, channelCount: 1 },
      });
    } catch (error) {
      throw microphoneProblem(error);
    }
    await resumed;
    await Promise.all([
      context.audioWorklet.addModule(captureWorkletUrl),
      context.audioWorklet.addModule(playbackWorkletUrl),
    ]);
  } catch (error) {
    for (const track of stream?.getTracks() ?? []) track.stop();
    await context.close().catch(() => undefined);
    if (error instanceof CallProblem) throw error;
    throw new CallProblem(
      'Audio could not start',
      error instanceof Error ? error.message : String(error),
      'Reload the page and call again; if it keeps failing, try another browser.',
    );
  }
  const mic = stream;
  const source = context.createMediaStreamSource(mic);
  // No outputs: the browser pulls a worklet with none as long as its input is connected.
  const capture = new AudioWorkletNode(context, CAPTURE_PROCESSOR, {
    numberOfInputs: 1,
    numberOfOutputs: 0,
    channelCount: 1,
    channelCountMode: 'explicit',
  });
  const playback = new AudioWorkletNode(context, PLAYBACK_PROCESSOR, {
    numberOfInputs: 0,
    numberOfOutputs: 1,
    outputChannelCount: [1],
  });
  playback.connect(context.destination);
  playback.port.onmessage = (event: MessageEvent<PlaybackReport>) => {
    const report = event.data;
    if (report.type === 'mark') events.onMark(report.name);
    else if (report.type === 'playing') events.onPlaying(report.playing);
    else events.onOverflow(report.droppedMs);
  };
  const command = (message: PlaybackCommand) => playback.port.postMessage(message);
  let closed = false;

  return {
    startCapture(onFrame) {
      capture.port.onmessage = (event: MessageEvent<Int16Array<ArrayBuffer>>) => {
        if (!closed) onFrame(event.data);
      };
      source.connect(capture);
    },
    play(pcm) {
      // Whole samples only; the buffer is handed to the worklet rather than copied.
      const samples = new Int16Array(pcm, 0, pcm.byteLength >> 1);
      if (samples.length > 0) playback.port.postMessage(samples, [pcm]);
    },
    mark: (name) => command({ type: 'mark', name }),
    clear: () => command({ type: 'clear' }),
    setMuted(muted) {
      for (const track of mic.getAudioTracks()) track.enabled = !muted;
    },
    async close() {
      if (closed) return;
      closed = true;
      capture.port.postMessage({ type: 'stop' } satisfies CaptureCommand);
      command({ type: 'stop' });
      source.disconnect();
      playback.disconnect();
      for (const track of mic.getTracks()) track.stop();
      await context.close().catch(() => undefined);
    },
  };
}
