import type { BenchResult, PhaseResult } from './run.js';
import { fmt, type Summary } from './stats.js';

/** The issue's targets. */
export const TARGETS = {
  overheadP50Ms: 10,
  overheadP99Ms: 30,
  concurrentCalls: 500,
  bargeInMs: 50,
  memoryPerCallMiB: 2,
} as const;

const mark = (ok: boolean) => (ok ? 'met' : 'MISSED');

/** The benchmark's figures as a plain-text table. */
export function formatReport(r: BenchResult): string {
  const { machine: m, latencies: l, calibration: c, latency } = r;
  const afterEndpointing = r.configuredTurnMs - l.endpointingMs;
  const slack = c.totalMs - afterEndpointing;
  const overhead = latency.overhead;
  const net = shift(overhead, -slack);
  const best = r.levels.filter((x) => x.holds).at(-1) ?? r.levels[0];
  const lines = [
    'VRM voice benchmark',
    `machine   ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}`,
    `providers endpointing ${l.endpointingMs} ms + STT ${l.sttMs} + LLM first token ${l.llmFirstTokenMs} (+${l.llmTokenMs}/token) + TTS first audio ${l.ttsFirstAudioMs} = ${fmt(r.configuredTurnMs)} ms configured per turn`,
    `          driven directly (no runtime): STT ${fmt(c.sttMs)} + LLM ${fmt(c.llmMs)} + TTS ${fmt(c.ttsMs)} = ${fmt(c.totalMs)} ms after endpointing vs ${fmt(afterEndpointing)} configured: test-server slack ${fmt(slack)} ms`,
    `load      1-min load average ${fmt(r.loadAverage[0], 2)} before, ${fmt(r.loadAverage[1], 2)} after${Math.max(...r.loadAverage) > m.cores ? ' — the machine was busy with other work; figures are pessimistic' : ''}`,
    `runtime   ${r.processes === 1 ? '1 process' : `${r.processes} processes, calls dialled to them in turn,`} on ${r.database === 'postgres' ? 'PostgreSQL (a throwaway database; its server CPU is the db CPU column)' : 'PGlite (in-process)'}`,
    ...(r.cores
      ? [
          `pinned    runtime on CPU ${r.cores.runtimes.join(', ')} (a core each), load generator (callers and test servers) on CPU ${r.cores.loadGenerator.join(',')}${r.database === 'postgres' ? ', PostgreSQL unpinned' : ''}`,
        ]
      : []),
    '',
    `Latency: ${latency.dialed} calls, ${latency.turns} turns, ${latency.bargeIn.count} barge-ins`,
    row(['figure', 'p50', 'p90', 'p99', 'max', 'target', '']),
    summaryRow('voice-to-voice (ms)', latency.voiceToVoice),
    summaryRow(
      'runtime overhead (ms)',
      overhead,
      `p50≤${TARGETS.overheadP50Ms} p99≤${TARGETS.overheadP99Ms}`,
      mark(overhead.p50 <= TARGETS.overheadP50Ms && overhead.p99 <= TARGETS.overheadP99Ms),
    ),
    summaryRow('  net of test-server slack', net),
    summaryRow('  first turn of a call', latency.firstTurnOverhead),
    summaryRow('  caller→runtime→STT audio', latency.inboundPath),
    summaryRow(
      'barge-in to clear (ms)',
      latency.bargeIn,
      `≤${TARGETS.bargeInMs}`,
      mark(latency.bargeIn.p99 <= TARGETS.bargeInMs),
    ),
    '',
    'Capacity (a level holds when, over its window, no frame is lost either way, no turn fails, and frames wait ≤ 20 ms at p99: runtime event-loop delay and caller playback lateness)',
    capacityRow([
      'calls',
      'turns',
      'overhead p50/p99',
      'barge-in p99',
      'lateness p99/max',
      'lost in/out',
      'runtime CPU',
      'loop delay p99',
      'MiB/call rss/heap',
      'load-gen CPU/delay',
      'db CPU',
      'others CPU',
      'holds',
    ]),
    ...r.levels.map(levelRow),
    '',
    capacityVerdict(r),
    best
      ? `Memory per call at ${best.dialed} calls: ${fmt(best.runtime.rssPerCallMiB, 2)} MiB RSS, ${fmt(best.runtime.heapPerCallMiB, 2)} MiB heap after GC (target ≤ ${TARGETS.memoryPerCallMiB} MiB: ${mark(best.runtime.rssPerCallMiB <= TARGETS.memoryPerCallMiB)})`
      : '',
    ...r.levels.filter((x) => !x.holds).map((x) => `  ${x.verdict}`),
    `(${fmt(r.durationSec, 0)} s)`,
  ];
  return `${lines.join('\n')}\n`;
}

function capacityVerdict(r: BenchResult): string {
  if (!r.cores)
    return `Highest level that held: ${r.maxCalls} concurrent calls (target ≥ ${TARGETS.concurrentCalls}: ${mark(r.maxCalls >= TARGETS.concurrentCalls)})`;
  // Pinned, the runtimes had only some of the machine's cores: a per-core figure, not the machine's.
  const n = r.cores.runtimes.length;
  return `Highest level that held: ${r.maxCalls} concurrent calls on ${n} core${n === 1 ? '' : 's'} of the runtime's own, ${fmt(r.maxCalls / n, 0)} per core (target ≥ ${TARGETS.concurrentCalls} on the whole machine: not judged by a pinned run)`;
}

function levelRow(x: PhaseResult): string {
  return capacityRow([
    String(x.dialed === x.calls ? x.calls : `${x.dialed}/${x.calls}`),
    String(x.turns),
    `${fmt(x.overhead.p50)}/${fmt(x.overhead.p99)}`,
    fmt(x.bargeIn.p99),
    `${fmt(x.playbackLateness.p99)}/${fmt(x.playbackLateness.max)}`,
    `${x.inboundFramesLost}/${x.outboundBytesLost}`,
    `${fmt(x.runtime.cpuPercent, 0)}%`,
    `${fmt(x.runtime.eventLoopDelayP99Ms)} ms`,
    `${fmt(x.runtime.rssPerCallMiB, 2)}/${fmt(x.runtime.heapPerCallMiB, 2)}`,
    `${fmt(x.loadGenerator.cpuPercent, 0)}%/${fmt(x.loadGenerator.eventLoopDelayP99Ms, 0)} ms`,
    Number.isNaN(x.databaseCpuPercent) ? '-' : `${fmt(x.databaseCpuPercent, 0)}%`,
    `${fmt(x.otherCpuPercent, 0)}%`,
    x.holds ? 'yes' : 'NO',
  ]);
}

function summaryRow(label: string, s: Summary, target = '', verdict = ''): string {
  return row([label, fmt(s.p50), fmt(s.p90), fmt(s.p99), fmt(s.max), target, verdict]);
}

function shift(s: Summary, by: number): Summary {
  return { ...s, p50: s.p50 + by, p90: s.p90 + by, p99: s.p99 + by, max: s.max + by, mean: s.mean + by };
}

function row(cells: string[]): string {
  return align(cells, [30, 8, 8, 8, 8, 16, 8]);
}

function capacityRow(cells: string[]): string {
  return align(cells, [6, 7, 18, 14, 18, 13, 13, 16, 19, 20, 8, 12, 7]);
}

function align(cells: string[], widths: number[]): string {
  return cells
    .map((c, i) => (i === 0 ? c.padEnd(widths[0]!) : c.padStart(Math.max(widths[i] ?? 8, c.length + 1))))
    .join('')
    .trimEnd();
}
