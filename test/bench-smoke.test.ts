import { describe, expect, it } from 'vitest';
import { coresOf, cpuList } from '../runtime/src/bench/affinity.js';
import { DEFAULT_LATENCIES } from '../runtime/src/bench/fakes.js';
import { formatReport } from '../runtime/src/bench/report.js';
import { runBench } from '../runtime/src/bench/run.js';

// Proves the benchmark harness works end to end at a tiny size: a real runtime process, real
// Twilio webhook and media stream, provider test servers. It asserts what the calls did, never
// how fast: timings belong to `npm run bench`.
describe('vrm bench harness', () => {
  it('places calls through the running server, takes turns, barges in and reports', async () => {
    const result = await runBench({
      levels: [2],
      holdSec: 1,
      latencyCalls: 2,
      latencyTurns: 2,
      warmupCalls: 0,
      latencies: DEFAULT_LATENCIES,
      validate: true,
    });

    const { latency } = result;
    expect(latency.dialed).toBe(2);
    expect(latency.failures).toEqual([]);
    expect(latency.violations).toEqual([]);
    // Two turns per call, the second one interrupted by the caller.
    expect(latency.turns).toBe(4);
    expect(latency.bargeIn.count).toBe(2);
    expect(latency.inboundFramesLost).toBe(0);
    expect(latency.outboundBytesLost).toBe(0);
    expect(latency.framesSent).toBeGreaterThan(0);

    const [level] = result.levels;
    expect(level?.dialed).toBe(2);
    expect(level?.failures).toEqual([]);
    expect(level?.violations).toEqual([]);
    expect(level?.inboundFramesLost).toBe(0);
    expect(Number.isFinite(level?.runtime.rssMiB)).toBe(true);

    const report = formatReport(result);
    expect(report).toContain('VRM voice benchmark');
    expect(report).toContain(`${result.machine.cores} cores`);
    expect(report).toContain('barge-in to clear');
  }, 120_000);

  // Needs Linux and two cores this process may use (affinity), one for each side.
  it.runIf(process.platform === 'linux' && (coresOf(process.pid)?.length ?? 0) > 1)(
    'pins the runtime to a core of its own and the load generator to the rest, then lets go',
    async () => {
      const allowed = (pid: number) => cpuList(coresOf(pid) ?? []);
      const before = coresOf(process.pid)!;
      const last = before.at(-1)!;
      const rest = before.slice(0, -1);
      const seen: string[] = [];
      const result = await runBench({
        levels: [2],
        holdSec: 1,
        latencyCalls: 1,
        latencyTurns: 2,
        warmupCalls: 0,
        latencies: DEFAULT_LATENCIES,
        pin: true,
        progress: (line) => {
          const pid = /^runtime pid (\d+)/.exec(line)?.[1];
          if (pid) seen.push(`runtime ${allowed(Number(pid))}`);
          if (line.startsWith('load generator')) seen.push(`load generator ${allowed(process.pid)}`);
        },
      });

      expect(seen).toEqual([`runtime ${last}`, `load generator ${cpuList(rest)}`]);
      expect(result.cores).toEqual({ runtimes: [last], loadGenerator: rest });
      expect(result.levels[0]?.failures).toEqual([]);
      expect(coresOf(process.pid)).toEqual(before);
      const report = formatReport(result);
      expect(report).toContain(`pinned    runtime on CPU ${last} (a core each)`);
      expect(report).toMatch(
        /on 1 core of the runtime's own, \d+ per core \(target ≥ 500 on the whole machine: not judged by a pinned run\)/,
      );
    },
    120_000,
  );
});
