import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ChildMessageSchema, type ParentMessage, type RuntimeSample } from './runtime-ipc.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(HERE, '../../..');

/** The runtime under test, running in its own process. */
export interface RuntimeChild {
  readonly url: string;
  readonly pid: number;
  /** Memory, CPU and event-loop delay of the runtime process (optionally after a full GC). */
  sample(options?: { gc?: boolean; resetEventLoopDelay?: boolean }): Promise<RuntimeSample>;
  /** Stops the server gracefully and waits for the process to exit. */
  stop(): Promise<void>;
  /** What the runtime printed (warnings and errors only at the bench's log level). */
  output(): string;
}

export interface StartRuntimeOptions {
  env: Record<string, string>;
  /** Variables of this process's environment the runtime must not inherit (e.g. DATABASE_URL). */
  unset?: string[];
  /** Extra Node flags, e.g. `--cpu-prof --cpu-prof-dir=…`. */
  nodeFlags?: string[];
  startTimeoutMs?: number;
}

/**
 * Forks `runtime-process.ts` (through tsx, as `bin/vrm.mjs` runs the CLI) with `--expose-gc`,
 * and waits until the server listens.
 */
export async function startRuntimeChild(options: StartRuntimeOptions): Promise<RuntimeChild> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  for (const name of options.unset ?? []) delete env[name];
  const child: ChildProcess = fork(path.join(HERE, 'runtime-process.ts'), [], {
    cwd: REPO_ROOT,
    env,
    execArgv: ['--import', 'tsx', '--expose-gc', ...(options.nodeFlags ?? [])],
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    // Bounded: a runtime that logs per frame must not exhaust the benchmark's memory.
    output = (output + chunk.toString()).slice(-64_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  let nextId = 1;
  const pending = new Map<number, (sample: RuntimeSample) => void>();
  let ready: ((url: string) => void) | undefined;
  let failed: ((error: Error) => void) | undefined;
  child.on('message', (raw) => {
    const parsed = ChildMessageSchema.safeParse(raw);
    if (!parsed.success) return;
    const m = parsed.data;
    if (m.type === 'ready') ready?.(m.url);
    else if (m.type === 'failed') failed?.(new Error(`the runtime failed to start: ${m.message}`));
    else {
      pending.get(m.id)?.(m);
      pending.delete(m.id);
    }
  });

  const url = await new Promise<string>((resolve, reject) => {
    ready = resolve;
    failed = reject;
    const timer = setTimeout(
      () =>
        reject(
          new Error(`the runtime did not start within ${options.startTimeoutMs ?? 60_000} ms:\n${output}`),
        ),
      options.startTimeoutMs ?? 60_000,
    );
    void exited.then((code) => reject(new Error(`the runtime exited with ${code}:\n${output}`)));
    child.once('message', () => clearTimeout(timer));
  });

  const post = (message: ParentMessage) => child.send(message);
  return {
    url,
    pid: child.pid ?? 0,
    sample(opts = {}) {
      const id = nextId++;
      return new Promise<RuntimeSample>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error('the runtime did not answer a sample request within 30 s'));
        }, 30_000);
        pending.set(id, (s) => {
          clearTimeout(timer);
          resolve(s);
        });
        post({
          type: 'sample',
          id,
          gc: opts.gc ?? false,
          resetEventLoopDelay: opts.resetEventLoopDelay ?? false,
        });
      });
    },
    async stop() {
      if (child.exitCode !== null) return;
      post({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
    output: () => output,
  };
}
