import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { type CoreLayout, coreLayout, currentCores, pinProcess } from './affinity.js';
import { type Calibration, calibrate } from './calibrate.js';
import {
  AGENT_REPLY,
  DEFAULT_LATENCIES,
  type ProviderFakes,
  type ProviderLatencies,
  startProviderFakes,
} from './fakes.js';
import { configuredTurnLatency } from './latency.js';
import { type MachineInfo, machineInfo } from './machine.js';
import {
  createThrowawayDatabase,
  postgresCpuMs,
  type RuntimeGroup,
  startRuntimeGroup,
  type ThrowawayDatabase,
} from './runtimes.js';
import { type CallPlan, type CallResult, type DialedCall, dialCall, runCall } from './scenario.js';
import { createBenchAgent } from './setup.js';
import { type Summary, summarize } from './stats.js';

export interface BenchOptions {
  /** Concurrent-call levels of the capacity ramp, tried in order until one does not hold. */
  readonly levels: readonly number[];
  /** Seconds each level runs once all its calls are up. */
  readonly holdSec: number;
  /** The latency phase: this many calls at once, each taking `latencyTurns` turns. */
  readonly latencyCalls: number;
  readonly latencyTurns: number;
  /** Calls of the uncounted warm-up phase (3 turns each); 0 skips it. */
  readonly warmupCalls?: number;
  readonly latencies: ProviderLatencies;
  /** Write V8 CPU profiles of the runtime here (`--cpu-prof`). */
  readonly cpuProfileDir?: string;
  /** Validate every message the callers receive against Twilio's schema. */
  readonly validate?: boolean;
  /** Progress lines (stderr). */
  readonly progress?: (line: string) => void;
  /** Runtime processes (default 1). More than one share a PostgreSQL database: `databaseUrl`. */
  readonly processes?: number;
  /**
   * A PostgreSQL server (`postgres://…/db`, any database the user may connect to): the benchmark
   * creates a throwaway database there, runs the runtime on it instead of PGlite, and drops it.
   */
  readonly databaseUrl?: string;
  /**
   * Give each runtime process a core of its own and the load generator the others (Linux,
   * `taskset`): capacity then measures what one core carries for VRM, free of the harness's cost.
   */
  readonly pin?: boolean;
}

export const DEFAULT_OPTIONS: BenchOptions = {
  levels: [50, 100, 200, 300, 400, 500],
  holdSec: 15,
  latencyCalls: 25,
  latencyTurns: 8,
  latencies: DEFAULT_LATENCIES,
};

/** Latency phase: every other turn is interrupted, so turns and barge-ins come in equal numbers. */
const LATENCY_PLAN: CallPlan = {
  until: Number.POSITIVE_INFINITY,
  maxTurns: 8,
  bargeInEvery: 2,
  thinkMs: 300,
  speechMs: 600,
  bargeInAfterMs: 300,
};

/**
 * One 20 ms frame: the most a frame may wait inside the runtime (event-loop delay p99) or arrive
 * after the caller's playback needed it (lateness p99) for a level to hold.
 */
export const GAP_THRESHOLD_MS = 20;

export interface PhaseResult {
  readonly calls: number;
  readonly dialed: number;
  readonly turns: number;
  /** Caller's last speech frame → first agent audio at the caller. */
  readonly voiceToVoice: Summary;
  /** See `TurnSample.overheadMs`; turns after a call's first. */
  readonly overhead: Summary;
  /** The same for each call's first turn. */
  readonly firstTurnOverhead: Summary;
  readonly bargeIn: Summary;
  /** The frame completing endpointing sent → the STT server decides the final: caller → runtime → STT. */
  readonly inboundPath: Summary;
  /** Playback lateness of agent audio (max(0, arrival − needed)), over media messages. */
  readonly playbackLateness: Summary;
  readonly gaps: number;
  readonly inboundFramesLost: number;
  readonly framesSent: number;
  readonly outboundBytesLost: number;
  readonly failures: string[];
  readonly violations: string[];
  readonly runtime: {
    readonly cpuPercent: number;
    readonly eventLoopDelayP99Ms: number;
    readonly eventLoopDelayMaxMs: number;
    readonly rssPerCallMiB: number;
    readonly heapPerCallMiB: number;
    readonly rssMiB: number;
  };
  readonly loadGenerator: { readonly cpuPercent: number; readonly eventLoopDelayP99Ms: number };
  /** CPU of the PostgreSQL server's processes in the window (% of one core; NaN on PGlite). */
  readonly databaseCpuPercent: number;
  /** CPU other processes on the machine used during the window, in % of one core (Linux). */
  readonly otherCpuPercent: number;
  readonly holds: boolean;
  readonly verdict: string;
}

export interface BenchResult {
  readonly machine: MachineInfo;
  /** Runtime processes and the database they ran on. */
  readonly processes: number;
  readonly database: 'pglite' | 'postgres';
  readonly latencies: ProviderLatencies;
  readonly configuredTurnMs: number;
  readonly calibration: Calibration;
  readonly latency: PhaseResult;
  readonly levels: PhaseResult[];
  /** The highest level that held, 0 if none did. */
  readonly maxCalls: number;
  readonly durationSec: number;
  /** 1-minute load average before and after: other work on a shared machine skews every figure. */
  readonly loadAverage: readonly [number, number];
  /** The cores each side ran on, when pinned (`--pin`). */
  readonly cores?: CoreLayout;
}

/** Runs the whole benchmark: provider test servers here, the runtime in a child process. */
export async function runBench(options: BenchOptions): Promise<BenchResult> {
  const started = performance.now();
  const loadBefore = os.loadavg()[0]!;
  // Before any pinning, which would hide the cores this process leaves to the runtimes.
  const machine = machineInfo();
  const progress = options.progress ?? (() => {});
  const processes = options.processes ?? 1;
  const ownCores = options.pin ? currentCores() : undefined;
  const cores = ownCores ? coreLayout(processes, ownCores) : undefined;
  let pinnedSelf = false;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'vrm-bench-'));
  const authToken = randomBytes(16).toString('hex');
  const fakes = await startProviderFakes(options.latencies);
  let runtime: RuntimeGroup | undefined;
  let database: ThrowawayDatabase | undefined;
  try {
    if (options.databaseUrl) database = await createThrowawayDatabase(options.databaseUrl);
    runtime = await startRuntimeGroup({
      processes,
      databaseUrl: database?.url,
      env: {
        ...fakes.runtimeEnv,
        PORT: '0',
        HOST: '127.0.0.1',
        VRM_DATA_DIR: path.join(dataDir, 'data'),
        VRM_SECRET_KEY: randomBytes(32).toString('base64'),
        VRM_LOG_LEVEL: 'warn',
        VRM_PASSWORD_COST: '10',
        VRM_ALLOW_PRIVATE_URLS: '1',
        TWILIO_AUTH_TOKEN: authToken,
      },
      // The embedded database unless a PostgreSQL server was given.
      unset: ['DATABASE_URL', 'TWILIO_ACCOUNT_SID', 'VRM_PUBLIC_URL'],
      nodeFlags: options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [],
    });
    for (const [i, p] of runtime.processes.entries()) {
      if (cores) pinProcess(p.pid, [cores.runtimes[i]!]);
      progress(`runtime pid ${p.pid} at ${p.url}${cores ? ` on CPU ${cores.runtimes[i]}` : ''}`);
    }
    if (cores) {
      pinProcess(process.pid, cores.loadGenerator);
      pinnedSelf = true;
      progress(`load generator on CPU ${cores.loadGenerator.join(',')}`);
    }
    const agentId = await createBenchAgent(runtime.urlFor(0), options.latencies);
    const calibration = await calibrate(fakes);
    progress(`test servers alone: ${calibration.totalMs.toFixed(1)} ms per turn`);
    const env: PhaseEnv = {
      runtime,
      fakes,
      agentId,
      authToken,
      validate: options.validate ?? false,
      database: database ? 'postgres' : 'pglite',
      progress,
    };

    // JIT compilation, first connections and pools: a server that has taken calls before.
    const warmup = options.warmupCalls ?? 5;
    if (warmup > 0) {
      progress(`warm-up: ${warmup} calls × 3 turns (not counted)`);
      await runPhase(env, warmup, { ...LATENCY_PLAN, maxTurns: 3 }, 0);
    }
    progress(`latency phase: ${options.latencyCalls} calls × ${options.latencyTurns} turns`);
    const latency = await runPhase(
      env,
      options.latencyCalls,
      { ...LATENCY_PLAN, maxTurns: options.latencyTurns },
      0,
    );

    const levels: PhaseResult[] = [];
    for (const calls of options.levels) {
      progress(`capacity: ${calls} calls for ${options.holdSec} s`);
      const level = await runPhase(
        env,
        calls,
        {
          until: Number.POSITIVE_INFINITY,
          maxTurns: Number.POSITIVE_INFINITY,
          bargeInEvery: 4,
          thinkMs: 300,
          speechMs: 600,
          bargeInAfterMs: 300,
        },
        options.holdSec,
      );
      levels.push(level);
      progress(`  ${level.verdict}`);
      if (!level.holds) break;
    }
    const held = levels.filter((l) => l.holds).map((l) => l.calls);
    return {
      machine,
      processes,
      database: database ? 'postgres' : 'pglite',
      latencies: options.latencies,
      configuredTurnMs: configuredTurnLatency(options.latencies, AGENT_REPLY),
      calibration,
      latency,
      levels,
      maxCalls: held.length > 0 ? Math.max(...held) : 0,
      durationSec: (performance.now() - started) / 1000,
      loadAverage: [loadBefore, os.loadavg()[0]!],
      cores,
    };
  } finally {
    // Back on every core it had: the caller (a test run, say) goes on in this process.
    if (pinnedSelf && ownCores) pinProcess(process.pid, ownCores);
    await runtime?.stop();
    await database?.drop();
    await fakes.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(fakes.certificateFiles.dir, { recursive: true, force: true });
  }
}

interface PhaseEnv {
  runtime: RuntimeGroup;
  fakes: ProviderFakes;
  agentId: string;
  authToken: string;
  validate: boolean;
  database: 'pglite' | 'postgres';
  progress: (line: string) => void;
}

/**
 * Dials `calls` calls one after another, lets them take turns until `holdSec` after the last one
 * is up (or until their turns run out when `holdSec` is 0), samples the runtime while they are all
 * still connected, then hangs them up.
 */
async function runPhase(env: PhaseEnv, calls: number, plan: CallPlan, holdSec: number): Promise<PhaseResult> {
  const { runtime, fakes } = env;
  const baseline = await runtime.sample({ gc: true });
  let releaseHold!: () => void;
  const hold = new Promise<void>((resolve) => {
    releaseHold = resolve;
  });
  let idle = 0;
  let allIdle!: () => void;
  const everyoneIdle = new Promise<void>((resolve) => {
    allIdle = resolve;
  });
  const phasePlan: CallPlan = {
    ...plan,
    hold,
    onIdle: () => {
      if (++idle === running.length) allIdle();
    },
  };
  const running: Promise<CallResult>[] = [];
  const dialFailures: string[] = [];
  for (let i = 0; i < calls; i++) {
    let call: DialedCall;
    try {
      call = await dialCall({
        baseUrl: runtime.urlFor(i),
        agentId: env.agentId,
        authToken: env.authToken,
        fakes,
        validate: env.validate,
      });
    } catch (error) {
      dialFailures.push(`dial ${i + 1}: ${error instanceof Error ? error.message : String(error)}`);
      if (dialFailures.length >= 3) break;
      continue;
    }
    running.push(runCall(call, phasePlan, fakes));
  }
  const steadyFrom = performance.now();
  if (holdSec > 0) phasePlan.until = steadyFrom + holdSec * 1000;
  await runtime.sample({ resetEventLoopDelay: true });
  const cpuFrom = await runtime.sample();
  const loadGenEld = monitorEventLoopDelay({ resolution: 1 });
  loadGenEld.enable();
  const loadGenCpu = process.cpuUsage();
  const machineFrom = machineBusyMs();
  const databaseFrom = postgresCpuMs();
  if (running.length === 0) allIdle();
  else if (idle === running.length) allIdle();

  await everyoneIdle;
  const cpuTo = await runtime.sample();
  const loadGenCpuMicros = process.cpuUsage(loadGenCpu);
  const machineTo = machineBusyMs();
  const databaseTo = postgresCpuMs();
  loadGenEld.disable();
  const memory = await runtime.sample({ gc: true });
  releaseHold();
  const results = await Promise.all(running);
  await waitForNoCalls(runtime);

  const inWindow = <T extends { startedAt: number }>(xs: T[]) =>
    holdSec > 0 ? xs.filter((x) => x.startedAt >= steadyFrom) : xs;
  const turns = results.flatMap((r) => inWindow(r.turns));
  const bargeIns = results.flatMap((r) => inWindow(r.bargeIns));
  const lateness = turns.flatMap((t) => t.lateness.map((l) => Math.max(0, l)));
  const wallMs = cpuTo.uptimeMs - cpuFrom.uptimeMs;
  const connected = running.length;
  const result = {
    calls,
    dialed: connected,
    turns: turns.length,
    voiceToVoice: summarize(turns.map((t) => t.voiceToVoiceMs)),
    overhead: summarize(turns.filter((t) => t.turn > 1).map((t) => t.overheadMs)),
    firstTurnOverhead: summarize(turns.filter((t) => t.turn === 1).map((t) => t.overheadMs)),
    bargeIn: summarize(bargeIns.map((b) => b.toClearMs)),
    inboundPath: summarize(turns.flatMap((t) => (t.inboundMs === undefined ? [] : [t.inboundMs]))),
    playbackLateness: summarize(lateness),
    gaps: lateness.filter((l) => l > GAP_THRESHOLD_MS).length,
    inboundFramesLost: sum(results.map((r) => r.inboundFramesLost)),
    framesSent: sum(results.map((r) => r.framesSent)),
    outboundBytesLost: sum(results.map((r) => r.outboundBytesLost)),
    failures: [...dialFailures, ...results.flatMap((r) => r.failures)],
    violations: results.flatMap((r) => r.violations),
    runtime: {
      cpuPercent: ((cpuTo.cpuMicros - cpuFrom.cpuMicros) / 1000 / wallMs) * 100,
      eventLoopDelayP99Ms: cpuTo.eventLoopDelayMs.p99,
      eventLoopDelayMaxMs: cpuTo.eventLoopDelayMs.max,
      rssPerCallMiB: connected > 0 ? (memory.rssBytes - baseline.rssBytes) / 2 ** 20 / connected : Number.NaN,
      heapPerCallMiB:
        connected > 0 ? (memory.heapUsedBytes - baseline.heapUsedBytes) / 2 ** 20 / connected : Number.NaN,
      rssMiB: memory.rssBytes / 2 ** 20,
    },
    loadGenerator: {
      cpuPercent: ((loadGenCpuMicros.user + loadGenCpuMicros.system) / 1000 / wallMs) * 100,
      eventLoopDelayP99Ms: loadGenEld.percentile(99) / 1e6,
    },
    databaseCpuPercent: Number.NaN,
    otherCpuPercent: Number.NaN,
  };
  const onPostgres = env.database === 'postgres';
  const databaseMs =
    onPostgres && databaseFrom !== undefined && databaseTo !== undefined ? databaseTo - databaseFrom : 0;
  if (onPostgres) result.databaseCpuPercent = (databaseMs / wallMs) * 100;
  if (machineFrom !== undefined && machineTo !== undefined) {
    const ours =
      (cpuTo.cpuMicros - cpuFrom.cpuMicros) / 1000 + (loadGenCpuMicros.user + loadGenCpuMicros.system) / 1000;
    result.otherCpuPercent = Math.max(0, ((machineTo - machineFrom - ours - databaseMs) / wallMs) * 100);
  }
  const problems: string[] = [];
  if (result.dialed < calls) problems.push(`${calls - result.dialed} calls not connected`);
  if (result.failures.length > 0)
    problems.push(`${result.failures.length} failed turns (${result.failures[0]})`);
  if (result.inboundFramesLost > 0) problems.push(`${result.inboundFramesLost} caller frames lost`);
  if (result.outboundBytesLost > 0) problems.push(`${result.outboundBytesLost} agent audio bytes lost`);
  if (result.violations.length > 0)
    problems.push(`${result.violations.length} protocol violations (${result.violations[0]})`);
  if (result.runtime.eventLoopDelayP99Ms > GAP_THRESHOLD_MS)
    problems.push(`runtime event-loop delay p99 ${result.runtime.eventLoopDelayP99Ms.toFixed(1)} ms`);
  if (result.playbackLateness.p99 > GAP_THRESHOLD_MS)
    problems.push(`playback lateness p99 ${result.playbackLateness.p99.toFixed(1)} ms`);
  const holds = problems.length === 0;
  const verdict = holds
    ? `${calls} calls hold: ${result.turns} turns, no frame lost, lateness p99 ${result.playbackLateness.p99.toFixed(1)} ms`
    : `${calls} calls do not hold: ${problems.join('; ')}`;
  return { ...result, holds, verdict };
}

async function waitForNoCalls(runtime: RuntimeGroup): Promise<void> {
  const deadline = performance.now() + 30_000;
  while (performance.now() < deadline) {
    if ((await runtime.sample()).activeCalls === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** CPU time every process on the machine has used (ms), from /proc/stat; undefined off Linux. */
function machineBusyMs(): number | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8')
      .split('\n', 1)[0]!
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    // user nice system idle iowait irq softirq steal: busy is all but idle and iowait.
    const busy = fields.slice(0, 8).reduce((a, b, i) => (i === 3 || i === 4 ? a : a + b), 0);
    return (busy * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}
