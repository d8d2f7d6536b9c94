import { FrameChannel } from './channel.js';
import type { Frame } from './frames.js';

/** Emits a frame into a stage's output; await it when it returns a promise (backpressure). */
export type Emit = (frame: Frame) => Promise<void> | undefined;

/**
 * Runs concurrent producers (an input pump, a provider's event reader, timers) and yields what
 * they emit, through one bounded channel. Stages that must read their input while a provider
 * talks back (STT, TTS, turn-taking timers) are written as producers. Ends when every producer
 * has finished; rethrows the first producer error.
 */
export async function* fanIn(
  producers: readonly ((emit: Emit) => Promise<void>)[],
  capacity = 32,
): AsyncGenerator<Frame> {
  const out = new FrameChannel(capacity);
  const emit: Emit = (f) => (out.offer(f) ? undefined : out.push(f));
  let failure: { error: unknown } | undefined;
  let running = producers.length;
  for (const producer of producers) {
    producer(emit)
      .catch((error: unknown) => {
        failure ??= { error };
      })
      .finally(() => {
        if (--running === 0 || failure) out.close();
      });
  }
  if (running === 0) return;
  for await (const f of out) yield f;
  if (failure) throw failure.error;
}
