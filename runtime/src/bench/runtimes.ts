import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { type RuntimeChild, type StartRuntimeOptions, startRuntimeChild } from './runtime-child.js';
import type { RuntimeSample } from './runtime-ipc.js';

/**
 * The runtime under test: one process on the embedded database, or several processes sharing one
 * PostgreSQL database (VRM's multi-process deployment: live events cross processes through
 * LISTEN/NOTIFY). Calls are spread over the processes in turn; samples add CPU time and memory
 * and take the worst event-loop delay.
 */
export interface RuntimeGroup {
  readonly processes: readonly RuntimeChild[];
  /** The process call number `index` is dialled to (round robin). */
  urlFor(index: number): string;
  sample(options?: { gc?: boolean; resetEventLoopDelay?: boolean }): Promise<RuntimeSample>;
  stop(): Promise<void>;
}

export interface StartRuntimeGroupOptions extends Omit<StartRuntimeOptions, 'env'> {
  /** Environment of every process; `VRM_DATA_DIR` gets a per-process suffix. */
  readonly env: Record<string, string>;
  readonly processes: number;
  /** A `postgres://` URL of the database the processes share; required for more than one. */
  readonly databaseUrl?: string;
}

export async function startRuntimeGroup(options: StartRuntimeGroupOptions): Promise<RuntimeGroup> {
  if (options.processes > 1 && !options.databaseUrl)
    throw new Error('several runtime processes need a PostgreSQL database (--database)');
  const children: RuntimeChild[] = [];
  const stop = async () => {
    await Promise.all(children.map((c) => c.stop()));
  };
  try {
    // One after another: the first applies the migrations, the rest find them done.
    for (let i = 0; i < options.processes; i++) {
      const env = { ...options.env };
      if (env.VRM_DATA_DIR) env.VRM_DATA_DIR = `${env.VRM_DATA_DIR}-${i + 1}`;
      if (options.databaseUrl) env.DATABASE_URL = options.databaseUrl;
      children.push(
        await startRuntimeChild({
          ...options,
          env,
          unset: (options.unset ?? []).filter((n) => !(options.databaseUrl && n === 'DATABASE_URL')),
        }),
      );
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    processes: children,
    urlFor: (index) => children[index % children.length]!.url,
    async sample(opts) {
      return combine(await Promise.all(children.map((c) => c.sample(opts))));
    },
    stop,
  };
}

function combine(samples: RuntimeSample[]): RuntimeSample {
  const first = samples[0]!;
  const total = (pick: (s: RuntimeSample) => number) => samples.reduce((a, s) => a + pick(s), 0);
  const worst = (pick: (s: RuntimeSample) => number) => Math.max(...samples.map(pick));
  return {
    ...first,
    rssBytes: total((s) => s.rssBytes),
    heapUsedBytes: total((s) => s.heapUsedBytes),
    externalBytes: total((s) => s.externalBytes),
    cpuMicros: total((s) => s.cpuMicros),
    eventLoopDelayMs: {
      p50: worst((s) => s.eventLoopDelayMs.p50),
      p99: worst((s) => s.eventLoopDelayMs.p99),
      max: worst((s) => s.eventLoopDelayMs.max),
      mean: worst((s) => s.eventLoopDelayMs.mean),
    },
    activeCalls: total((s) => s.activeCalls),
  };
}

/** A database created for one benchmark run on a PostgreSQL server, dropped afterwards. */
export interface ThrowawayDatabase {
  readonly url: string;
  drop(): Promise<void>;
}

/** Creates `vrm_bench_<random>` through `adminUrl` (any database the user may connect to). */
export async function createThrowawayDatabase(adminUrl: string): Promise<ThrowawayDatabase> {
  const name = `vrm_bench_${randomBytes(6).toString('hex')}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const sql = postgres(adminUrl, { max: 1, onnotice: () => {} });
      try {
        await sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await sql.end();
      }
    },
  };
}

/**
 * CPU time (ms) of every `postgres` process on the machine, from /proc; undefined off Linux. It
 * counts other clients of the same server too, so it is an upper bound for the benchmark's share.
 */
export function postgresCpuMs(): number | undefined {
  try {
    let ticks = 0;
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      let stat: string;
      try {
        stat = readFileSync(path.join('/proc', pid, 'stat'), 'utf8');
      } catch {
        continue; // exited meanwhile
      }
      const close = stat.lastIndexOf(')');
      if (stat.slice(stat.indexOf('(') + 1, close) !== 'postgres') continue;
      const fields = stat.slice(close + 2).split(' ');
      // Fields 14 and 15 of stat (utime, stime), counted from after the command name.
      ticks += Number(fields[11]) + Number(fields[12]);
    }
    return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return undefined;
  }
}
