import type { Generation } from './responder.js';

/**
 * The reason every superseded or interrupted reply's signal carries. One shared AbortError: a bare
 * `abort()` builds a new DOMException, stack trace and all, and this runs on every turn of every call.
 */
const REPLY_ABORTED = new DOMException('The reply was interrupted or superseded', 'AbortError');

/**
 * One AbortController per agent reply ("generation"). Barge-in is `interrupt()`: it aborts the
 * live reply at once — the model stream, tool calls and the TTS context all watch its signal —
 * before the `interrupt` frame travels down the pipeline to flush queued output.
 */
export class GenerationControl {
  private nextId = 1;
  private controller: AbortController | undefined;
  private currentId = 0;
  private running = false;

  constructor(private readonly callSignal: AbortSignal) {}

  /** Starts a reply for `turnId`; aborts any reply still running. */
  start(turnId: number): Generation {
    this.controller?.abort(REPLY_ABORTED);
    this.controller = new AbortController();
    this.currentId = this.nextId++;
    this.running = true;
    const signal = AbortSignal.any([this.controller.signal, this.callSignal]);
    return { turnId, generationId: this.currentId, signal };
  }

  /** The reply `generationId` produced all its text (its audio may still be playing). */
  finish(generationId: number): void {
    if (generationId === this.currentId) this.running = false;
  }

  /** The newest generation id (0 before the first). */
  get latest(): number {
    return this.currentId;
  }

  /** A reply is still being generated (thinking, calling tools or streaming text). */
  get active(): boolean {
    return this.running;
  }

  /** Aborts the running reply; returns the id every generation up to which is now obsolete. */
  interrupt(): number {
    this.controller?.abort(REPLY_ABORTED);
    this.running = false;
    return this.currentId;
  }
}

/** The caller-turn counter shared by the stages: 0 is the greeting. */
export class TurnCounter {
  current = 0;
  next(): number {
    return ++this.current;
  }
}
