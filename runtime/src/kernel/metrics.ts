import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Prometheus metrics of one process, served at GET /metrics. One registry per runtime instance. */
export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({
    name: 'vrm_http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'vrm_http_request_duration_seconds',
    help: 'HTTP request duration by method and route',
    labelNames: ['method', 'route'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly activeCalls = new Gauge({
    name: 'vrm_active_calls',
    help: 'Calls in progress in this process',
    registers: [this.registry],
  });

  readonly voiceLatency = new Histogram({
    name: 'vrm_voice_latency_ms',
    help: 'Voice loop latencies (turn, LLM first token, TTS first audio, tool duration, STT final lag)',
    labelNames: ['metric'] as const,
    buckets: [25, 50, 100, 200, 300, 500, 750, 1000, 1500, 2500, 5000],
    registers: [this.registry],
  });
  readonly voiceEvents = new Counter({
    name: 'vrm_voice_events_total',
    help: 'Voice loop events (turns, interruptions, fallbacks, tool calls, STT reconnects, errors)',
    labelNames: ['event'] as const,
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'vrm_' });
  }

  /** The voice loop's metrics seam (`LoopMetrics`), backed by the two series above. */
  readonly loop = {
    observe: (metric: string, valueMs: number) => this.voiceLatency.observe({ metric }, valueMs),
    increment: (metric: string) => this.voiceEvents.inc({ event: metric }),
  };
}
