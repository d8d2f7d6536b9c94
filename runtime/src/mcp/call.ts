import type { McpSession } from './connect.js';
import {
  errorResult,
  hostResult,
  isConnectionError,
  isTimeoutError,
  normalizeCallResult,
  type ToolCallResult,
} from './results.js';

/** Progress a server reports during a call; the voice loop may speak a filler on it. */
export interface ToolProgress {
  progress: number;
  total?: number;
  message?: string;
}

export interface McpCallOptions {
  /** Aborting cancels the call (barge-in); the result then has status `cancelled`. */
  signal?: AbortSignal;
  /** Idle timeout, restarted by each progress notification. Default 5 s: a caller is waiting. */
  timeoutMs?: number;
  /** Hard cap even while progress keeps arriving. Default 30 s. */
  maxTotalTimeoutMs?: number;
  onProgress?: (progress: ToolProgress) => void;
}

export const DEFAULT_CALL_TIMEOUT_MS = 5_000;
const DEFAULT_MAX_TOTAL_TIMEOUT_MS = 30_000;

export function cancelledResult(): ToolCallResult {
  return hostResult('cancelled', 'The call was cancelled before it finished.');
}

/**
 * Resolves with the promise's value, or `undefined` once `timeoutMs` passes, the signal aborts or
 * the promise rejects: a caller on the line waits for a (re)connect no longer than for the call.
 */
export async function withinBudget<T>(
  promise: Promise<T>,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const giveUp = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), timeoutMs);
    onAbort = () => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([promise.catch(() => undefined), giveUp]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}

/**
 * Runs `tools/call` on a live session and classifies the outcome. `signal` carries the host's own
 * abort reason; the SDK rejects a timeout and an abort with the same error code, so an aborted
 * signal is what marks a cancellation. Both send `notifications/cancelled` to the server.
 */
export async function invokeTool(
  session: McpSession,
  toolName: string,
  args: Record<string, unknown>,
  label: string,
  signal: AbortSignal,
  options: McpCallOptions,
): Promise<{ result: ToolCallResult; connectionLost?: unknown }> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
  const onProgress = options.onProgress;
  try {
    const result = await session.client.callTool(
      { name: toolName, arguments: args },
      {
        signal,
        timeout: timeoutMs,
        resetTimeoutOnProgress: true,
        maxTotalTimeout: Math.max(options.maxTotalTimeoutMs ?? DEFAULT_MAX_TOTAL_TIMEOUT_MS, timeoutMs),
        ...(onProgress
          ? {
              onprogress: (p: ToolProgress) =>
                onProgress({
                  progress: p.progress,
                  ...(p.total === undefined ? {} : { total: p.total }),
                  ...(p.message === undefined ? {} : { message: p.message }),
                }),
            }
          : {}),
      },
    );
    return { result: normalizeCallResult(result) };
  } catch (error) {
    if (signal.aborted) return { result: cancelledResult() };
    if (isTimeoutError(error)) {
      return {
        result: hostResult(
          'timeout',
          `The ${label} service did not answer within ${timeoutMs / 1000} seconds.`,
        ),
      };
    }
    if (isConnectionError(error)) {
      const text = `The connection to the ${label} service was lost; it is reconnecting.`;
      return { result: hostResult('unavailable', text), connectionLost: error };
    }
    return { result: errorResult(error, toolName) };
  }
}
