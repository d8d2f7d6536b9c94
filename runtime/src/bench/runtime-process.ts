/**
 * The runtime under test, as a child process of `vrm bench`: the real `startServer` with its
 * configuration from the environment, plus an IPC channel through which the benchmark samples
 * memory (after a full GC), CPU time and event-loop delay. Keeping the runtime alone in its
 * process means the load generator's work never shows up in the runtime's figures.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { loadConfig } from '../kernel/config.js';
import { startServer } from '../server.js';
import { ParentMessageSchema, type RuntimeSample } from './runtime-ipc.js';

const send = (message: unknown) => process.send?.(message);

async function main() {
  if (!process.send) throw new Error('runtime-process must be started with an IPC channel (fork)');
  const running = await startServer({ config: loadConfig(process.env) });
  // 1 ms resolution: the delay a 20 ms audio frame could suffer is what matters here.
  const eld = monitorEventLoopDelay({ resolution: 1 });
  eld.enable();
  send({ type: 'ready', url: running.url });

  process.on('message', (raw) => {
    const parsed = ParentMessageSchema.safeParse(raw);
    if (!parsed.success) return;
    const message = parsed.data;
    if (message.type === 'stop') {
      void running.stop(2000).finally(() => process.exit(0));
      return;
    }
    void (async () => {
      if (message.gc && global.gc) {
        // Twice: the first pass can leave objects only a second one frees (weak refs, finalizers).
        global.gc();
        global.gc();
      }
      const memory = process.memoryUsage();
      const activeCalls = (await running.services.metrics.activeCalls.get()).values[0]?.value ?? 0;
      const sample: RuntimeSample = {
        type: 'sample',
        id: message.id,
        rssBytes: memory.rss,
        heapUsedBytes: memory.heapUsed,
        externalBytes: memory.external + memory.arrayBuffers,
        cpuMicros: process.cpuUsage().user + process.cpuUsage().system,
        uptimeMs: performance.now(),
        // An empty window (just reset) reports NaN; call it zero.
        eventLoopDelayMs: {
          p50: finite(eld.percentile(50) / 1e6),
          p99: finite(eld.percentile(99) / 1e6),
          max: finite(eld.max / 1e6),
          mean: finite(eld.mean / 1e6),
        },
        activeCalls,
      };
      if (message.resetEventLoopDelay) eld.reset();
      send(sample);
    })();
  });
  process.on('disconnect', () => void running.stop(1000).finally(() => process.exit(0)));
}

function finite(x: number): number {
  return Number.isFinite(x) ? x : 0;
}

main().catch((error: unknown) => {
  send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
