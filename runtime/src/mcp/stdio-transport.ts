import { type ChildProcess, spawn } from 'node:child_process';
import {
  type JSONRPCMessage,
  ReadBuffer,
  SdkError,
  SdkErrorCode,
  serializeMessage,
  type Transport,
} from '@modelcontextprotocol/client';
import { getDefaultEnvironment } from '@modelcontextprotocol/client/stdio';
import type { McpStdioTransportConfig } from './config.js';

/** How long a server gets to exit after stdin closes (most exit at once on EOF). */
const EOF_GRACE_MS = 500;
/** How long a server gets after SIGTERM before SIGKILL. */
const GRACE_MS = 1_000;
/** Bytes of the child's stderr kept for error messages (the tail is what explains a crash). */
const STDERR_TAIL_BYTES = 4_096;

/**
 * An MCP stdio client transport that runs the server in its own process group and ends the whole
 * group on close. The SDK's `StdioClientTransport` signals only the direct child, so a server
 * started through a wrapper (`npx`, `sh -c`, `uv run`) would leave its real process running.
 * POSIX only: `detached` creates the group with setsid(2) and a negative pid signals it.
 */
export class ProcessGroupStdioTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  private child: ChildProcess | undefined;
  private readonly buffer = new ReadBuffer();
  private stderrTail = '';
  private closed = false;

  constructor(private readonly config: McpStdioTransportConfig) {}

  /** The server's process id (also its process group id), once started. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The last few KiB the server wrote to stderr, for diagnosing a failed start or a crash. */
  get stderr(): string {
    return this.stderrTail;
  }

  async start(): Promise<void> {
    if (this.child) throw new Error('ProcessGroupStdioTransport already started');
    await new Promise<void>((resolve, reject) => {
      const child = spawn(this.config.command, this.config.args ?? [], {
        // Only the safe defaults (PATH, HOME, …) plus what the operator configured: the host's own
        // secrets must never reach a plugin's environment.
        env: { ...getDefaultEnvironment(), ...this.config.env },
        stdio: ['pipe', 'pipe', 'pipe'],
        detached: true,
        shell: false,
      });
      this.child = child;
      child.once('error', (error) => {
        reject(error);
        this.onerror?.(error);
      });
      child.once('spawn', () => resolve());
      child.once('close', () => this.finish());
      child.stdin?.on('error', (error) => this.onerror?.(error));
      child.stdout?.on('error', (error) => this.onerror?.(error));
      child.stdout?.on('data', (chunk: Buffer) => {
        try {
          this.buffer.append(chunk);
        } catch (error) {
          // A message larger than the buffer limit: the stream cannot be resynchronised.
          this.onerror?.(error as Error);
          void this.close();
          return;
        }
        this.drain();
      });
      child.stderr?.on('data', (chunk: Buffer) => {
        this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
      });
    });
  }

  async send(message: JSONRPCMessage): Promise<void> {
    const stdin = this.child?.stdin;
    if (!stdin || this.closed)
      throw new SdkError(SdkErrorCode.NotConnected, 'The MCP server process is not running');
    if (!stdin.write(serializeMessage(message))) {
      await new Promise<void>((resolve) => stdin.once('drain', resolve));
    }
  }

  /** Closes stdin, then signals the whole process group: SIGTERM, and SIGKILL after a grace period. */
  async close(): Promise<void> {
    const child = this.child;
    if (!child || child.pid === undefined) {
      this.finish();
      return;
    }
    const pgid = child.pid;
    const exited = child.exitCode !== null || child.signalCode !== null;
    const exit = exited
      ? Promise.resolve()
      : new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.stdin?.end();
    await waitFor(exit, EOF_GRACE_MS);
    signalGroup(pgid, 'SIGTERM');
    if (!(await waitFor(exit, GRACE_MS))) signalGroup(pgid, 'SIGKILL');
    // Descendants may outlive the leader (or the leader may already be gone): end the group anyway.
    signalGroup(pgid, 'SIGKILL');
    await waitFor(exit, GRACE_MS);
    this.finish();
  }

  private drain(): void {
    for (;;) {
      let message: JSONRPCMessage | null;
      try {
        message = this.buffer.readMessage();
      } catch (error) {
        this.onerror?.(error as Error);
        continue;
      }
      if (message === null) return;
      this.onmessage?.(message);
    }
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    const child = this.child;
    // A crashed leader can leave children behind in its group; they must not outlive the session.
    if (child?.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
    child?.stdout?.destroy();
    child?.stderr?.destroy();
    child?.stdin?.destroy();
    this.buffer.clear();
    this.onclose?.();
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

async function waitFor(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const done = await Promise.race([promise.then(() => true as const), timeout]);
  clearTimeout(timer);
  return done;
}
