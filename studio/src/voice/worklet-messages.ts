/**
 * What the main thread and the two call worklets say to each other. Audio travels as bare
 * `Int16Array`s (copied by `postMessage`, so the worklet's own buffers are never handed away);
 * control messages are these small objects and are rare (a mark a second at most).
 */

/** Main thread → capture worklet. */
export type CaptureCommand = { type: 'stop' };

/** Main thread → playback worklet, besides `Int16Array` audio. */
export type PlaybackCommand = { type: 'mark'; name: string } | { type: 'clear' } | { type: 'stop' };

/** Playback worklet → main thread. */
export type PlaybackReport =
  /** The playback clock passed this mark (or a `clear` released it): echo it to VRM. */
  | { type: 'mark'; name: string }
  /** The agent's audio started or stopped playing. */
  | { type: 'playing'; playing: boolean }
  /** The queue was full and this much audio was dropped. */
  | { type: 'overflow'; droppedMs: number };

/** Names the worklets register under. */
export const CAPTURE_PROCESSOR = 'vrm-capture';
export const PLAYBACK_PROCESSOR = 'vrm-playback';

/** VRM's browser transport rate and the capture frame length. */
export const CALL_SAMPLE_RATE = 16_000;
export const FRAME_MS = 20;
