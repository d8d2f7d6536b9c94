import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

/**
 * Which cores the runtime processes and the load generator run on in a pinned benchmark. With the
 * callers and the provider test servers on the same machine, every process competes for every
 * core, and the load generator's own cost (as large as the runtime's: it sends every caller frame
 * and serves every provider request) decides where a level stops. Pinned, each runtime process has
 * a core of its own and the load generator the rest, so a level measures what one core carries
 * for VRM, free of the harness.
 */
export interface CoreLayout {
  /** `runtimes[i]` is the core runtime process `i` runs on. */
  readonly runtimes: readonly number[];
  /** The cores of the benchmark process: the callers and the provider test servers. */
  readonly loadGenerator: readonly number[];
}

/**
 * The last `processes` of the `available` cores (see `currentCores`) for the runtimes, one each;
 * the cores before them for the load generator. Throws when no core is left for the load generator.
 */
export function coreLayout(processes: number, available: readonly number[]): CoreLayout {
  if (processes >= available.length) {
    const fix =
      available.length < 2 ? 'it needs two or more' : `use --processes ${available.length - 1} or fewer`;
    throw new Error(
      `--pin gives each of the ${processes} runtime process(es) a core of its own and the load generator the rest, but this process may run on ${available.length} core(s) (CPU ${cpuList(available)}): ${fix}`,
    );
  }
  const sorted = [...available].sort((a, b) => a - b);
  const split = sorted.length - processes;
  return { runtimes: sorted.slice(split), loadGenerator: sorted.slice(0, split) };
}

/**
 * The cores this process may run on: its affinity, which a cgroup or an outer `taskset` may have
 * narrowed (every core where /proc does not say).
 */
export function currentCores(): number[] {
  return coresOf(process.pid) ?? Array.from({ length: os.cpus().length }, (_, i) => i);
}

/**
 * Moves every thread of process `pid` onto `cores` (Linux `taskset`, from util-linux). Threads the
 * process starts later inherit the affinity of the thread that starts them.
 */
export function pinProcess(pid: number, cores: readonly number[]): void {
  const fail = (detail: string) =>
    new Error(`--pin could not move process ${pid} to CPU ${cores.join(',')} with taskset: ${detail}`);
  try {
    execFileSync('taskset', ['--all-tasks', '--cpu-list', '--pid', cores.join(','), String(pid)], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  } catch (error) {
    throw fail(
      (error as { stderr?: Buffer }).stderr?.toString().trim() ||
        (error instanceof Error ? error.message : String(error)),
    );
  }
  // taskset --all-tasks succeeds on a process that does not exist (it finds no threads): check.
  const allowed = coresOf(pid);
  if (allowed === undefined) throw fail('no such process');
  if (cpuList(allowed) !== cpuList(cores)) throw fail(`its CPUs are still ${cpuList(allowed)}`);
}

/** The cores process `pid` may run on (Linux), undefined when there is no such process. */
export function coresOf(pid: number): number[] | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const list = /^Cpus_allowed_list:\s*(\S+)/m.exec(status)?.[1] ?? '';
  return list.split(',').flatMap((part) => {
    const [from, to = from] = part.split('-').map(Number);
    return Array.from({ length: to! - from! + 1 }, (_, i) => from! + i);
  });
}

/** The kernel's form of a CPU list: ascending, runs as ranges ("0-2,5"). */
export function cpuList(cores: readonly number[]): string {
  const sorted = [...new Set(cores)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    parts.push(j > i ? `${sorted[i]}-${sorted[j]}` : String(sorted[i]));
    i = j + 1;
  }
  return parts.join(',');
}
