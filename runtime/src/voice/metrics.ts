/**
 * The loop's metrics seam. The HTTP side backs it with prom-client histograms; tests and the
 * CLI use `noopMetrics`. Names are snake_case Prometheus names without the `vrm_` prefix.
 */
export type LatencyMetric =
  | 'turn_latency_ms'
  | 'llm_first_token_ms'
  | 'tts_first_audio_ms'
  | 'tool_duration_ms'
  | 'stt_final_lag_ms';

export type CounterMetric =
  | 'turns_total'
  | 'interruptions_total'
  | 'false_interruptions_total'
  | 'fallbacks_total'
  | 'tool_calls_total'
  | 'stt_reconnects_total'
  | 'errors_total';

export interface LoopMetrics {
  observe(metric: LatencyMetric, valueMs: number, labels?: Readonly<Record<string, string>>): void;
  increment(metric: CounterMetric, labels?: Readonly<Record<string, string>>): void;
}

export const noopMetrics: LoopMetrics = {
  observe() {},
  increment() {},
};
