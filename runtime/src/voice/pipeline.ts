import type { Logger } from '../kernel/logger.js';
import { FrameChannel } from './channel.js';
import type { Frame } from './frames.js';
import type { LoopMetrics } from './metrics.js';
import type { Tracer } from './trace.js';

/** What every stage gets besides its input. */
export interface StageContext {
  /** The call's signal: aborts when the call ends. Pass it to every socket and fetch. */
  readonly signal: AbortSignal;
  readonly log: Logger;
  readonly metrics: LoopMetrics;
  readonly trace: Tracer;
  /** Sends a frame back to the stages that asked for feedback (e.g. playback state to turn-taking). */
  notify(frame: Frame): void;
}

/** A stage: an async generator from frames to frames. It must hold no unbounded buffer. */
export interface Stage {
  readonly name: string;
  /** True when the stage wants the frames other stages `notify()` (merged into its input). */
  readonly feedback?: boolean;
  run(input: AsyncIterable<Frame>, ctx: StageContext): AsyncIterable<Frame>;
}

export interface PipelineOptions {
  readonly signal: AbortSignal;
  readonly log: Logger;
  readonly metrics: LoopMetrics;
  readonly trace: Tracer;
  /** Data frames each inter-stage channel holds before the producer waits. */
  readonly capacity?: number;
  /** Receives what the last stage yields. */
  readonly sink?: (frame: Frame) => void;
}

/**
 * Runs stages as concurrent tasks joined by bounded `FrameChannel`s. Frames enter with `push`
 * and flow downstream; `notify` from a stage feeds the stages marked `feedback`. `run` resolves
 * when every stage has finished (the head was closed or the signal aborted) and rejects with
 * the first stage failure, after closing the rest.
 */
export class Pipeline {
  private readonly inputs: FrameChannel[];
  private readonly ctx: StageContext;

  constructor(
    private readonly stages: readonly Stage[],
    private readonly options: PipelineOptions,
  ) {
    this.inputs = stages.map(() => new FrameChannel(options.capacity ?? 64));
    const feedbackTargets = this.inputs.filter((_, i) => stages[i]?.feedback);
    this.ctx = {
      signal: options.signal,
      log: options.log,
      metrics: options.metrics,
      trace: options.trace,
      notify: (f) => {
        // Feedback is control-rate (a few frames per turn); a full channel must not stall the
        // output stage, so it is offered and, if refused, delivered when room frees up.
        for (const ch of feedbackTargets) if (!ch.offer(f)) void ch.push(f);
      },
    };
  }

  /** Queues a frame at the head, waiting while the head channel is full. */
  push(f: Frame): Promise<void> | undefined {
    const head = this.inputs[0]!;
    return head.offer(f) ? undefined : head.push(f);
  }

  /**
   * Delivers a frame straight to the input of the stage named `stage`, bypassing the stages before
   * it (the carrier's mark echoes go to the output stage this way). Returns false if unknown.
   */
  inject(stage: string, f: Frame): boolean {
    const index = this.stages.findIndex((s) => s.name === stage);
    const ch = this.inputs[index];
    if (!ch) return false;
    if (!ch.offer(f)) void ch.push(f);
    return true;
  }

  /** Ends the input; stages finish once they have drained what is queued. */
  close(): void {
    this.inputs[0]?.close();
  }

  async run(): Promise<void> {
    const onAbort = () => {
      for (const ch of this.inputs) ch.close();
    };
    this.options.signal.addEventListener('abort', onAbort, { once: true });
    try {
      const tasks = this.stages.map((stage, i) => this.runStage(stage, i));
      const results = await Promise.allSettled(tasks);
      const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
    } finally {
      this.options.signal.removeEventListener('abort', onAbort);
    }
  }

  private async runStage(stage: Stage, index: number): Promise<void> {
    const input = this.inputs[index]!;
    const output = this.inputs[index + 1];
    const sink = this.options.sink;
    try {
      for await (const f of stage.run(input, this.ctx)) {
        if (output) {
          if (!output.offer(f)) await output.push(f);
        } else {
          sink?.(f);
        }
      }
    } catch (error) {
      // A stage failure ends the call: close every channel so the other stages drain and stop.
      for (const ch of this.inputs) ch.close();
      throw error;
    } finally {
      input.close();
      output?.close();
    }
  }
}
