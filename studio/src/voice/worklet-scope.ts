/**
 * Typed access to the AudioWorkletGlobalScope, which TypeScript's DOM library does not describe.
 * Only the worklet modules import this; it reads the globals through `globalThis`, so nothing
 * leaks into the types of the main-thread code.
 */
export interface WorkletProcessor {
  readonly port: MessagePort;
  process(
    inputs: Float32Array[][],
    outputs: Float32Array[][],
    parameters: Record<string, Float32Array>,
  ): boolean;
}

export interface WorkletProcessorOptions {
  processorOptions?: Record<string, unknown>;
}

interface AudioWorkletScope {
  /** The audio context's sample rate. */
  readonly sampleRate: number;
  readonly AudioWorkletProcessor: abstract new (
    options?: WorkletProcessorOptions,
  ) => {
    readonly port: MessagePort;
  };
  registerProcessor(
    name: string,
    processor: new (options: WorkletProcessorOptions) => WorkletProcessor,
  ): void;
}

export const scope = globalThis as unknown as AudioWorkletScope;
