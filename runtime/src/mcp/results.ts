import {
  type CallToolResult,
  ProtocolError,
  ProtocolErrorCode,
  SdkError,
  SdkErrorCode,
  SdkHttpError,
} from '@modelcontextprotocol/client';

/**
 * How a tool call ended. `ok` and `error` come from the server; the rest are decided by the host:
 * `timeout` (no answer in time), `cancelled` (the caller's signal, e.g. barge-in), `declined`
 * (confirmation refused), `disabled` (definition changed or not yet approved), `unavailable`
 * (server not connected), `not_found` (no such tool for this agent).
 */
export type ToolCallStatus =
  | 'ok'
  | 'error'
  | 'timeout'
  | 'cancelled'
  | 'declined'
  | 'disabled'
  | 'unavailable'
  | 'not_found';

/** A tool result in the one shape the model and the trace see. */
export interface ToolCallResult {
  /** What the model reads: the text blocks, with other content summarised. */
  text: string;
  /** The server's `structuredContent`, when it sent one. */
  structured?: Record<string, unknown>;
  isError: boolean;
  status: ToolCallStatus;
}

/** The model does not need more than this per result, and a phone turn cannot use more. */
const MAX_TEXT_LENGTH = 16_000;

function clip(text: string): string {
  return text.length <= MAX_TEXT_LENGTH ? text : `${text.slice(0, MAX_TEXT_LENGTH)}… [truncated]`;
}

function describeBlock(block: CallToolResult['content'][number]): string {
  switch (block.type) {
    case 'text':
      return block.text;
    case 'image':
      return `[image (${block.mimeType}) returned; not shown]`;
    case 'audio':
      return `[audio (${block.mimeType}) returned; not played]`;
    case 'resource_link':
      return `[resource link: ${block.name} ${block.uri}]`;
    case 'resource': {
      const resource = block.resource;
      if ('text' in resource && typeof resource.text === 'string') {
        return `[resource ${resource.uri}]\n${resource.text}`;
      }
      return `[binary resource ${resource.uri}${resource.mimeType ? ` (${resource.mimeType})` : ''}]`;
    }
    default:
      return '[unsupported content]';
  }
}

/** Turns a `tools/call` result into `ToolCallResult`; `isError` results stay errors the model can read. */
export function normalizeCallResult(result: CallToolResult): ToolCallResult {
  const parts = (result.content ?? []).map(describeBlock).filter((p) => p.length > 0);
  const structured = result.structuredContent as Record<string, unknown> | undefined;
  let text = parts.join('\n');
  if (!text && structured) text = JSON.stringify(structured);
  const isError = result.isError === true;
  if (!text) text = isError ? 'The tool failed without saying why.' : 'Done.';
  return {
    text: clip(text),
    ...(structured ? { structured } : {}),
    isError,
    status: isError ? 'error' : 'ok',
  };
}

/** A host-decided outcome, phrased so the model can tell the caller and choose what to do next. */
export function hostResult(status: Exclude<ToolCallStatus, 'ok'>, text: string): ToolCallResult {
  return { text, isError: true, status };
}

const CONNECTION_CODES = new Set<string>([
  SdkErrorCode.ConnectionClosed,
  SdkErrorCode.NotConnected,
  SdkErrorCode.SendFailed,
  SdkErrorCode.ClientHttpFailedToOpenStream,
]);
const NETWORK_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
]);

/**
 * True when an error means the session is gone (process exited, socket closed, server restarted
 * and forgot the session) rather than that this one call failed. The manager reconnects then.
 */
export function isConnectionError(error: unknown): boolean {
  if (error instanceof SdkHttpError) return error.status === 404 || error.status >= 502;
  if (error instanceof SdkError) return CONNECTION_CODES.has(error.code);
  if (error instanceof TypeError && error.message === 'fetch failed') return true;
  const code = (error as { code?: unknown; cause?: { code?: unknown } } | null)?.cause?.code;
  return typeof code === 'string' && NETWORK_ERRNOS.has(code);
}

/** True for the SDK's request timeout (its own timer, not our abort). */
export function isTimeoutError(error: unknown): boolean {
  return error instanceof SdkError && error.code === SdkErrorCode.RequestTimeout;
}

/**
 * A thrown call error as a result the model can recover from. 2.x servers throw -32602 for an
 * unknown tool where 1.x servers return an `isError` result; both reach the model the same way.
 */
export function errorResult(error: unknown, toolName: string): ToolCallResult {
  if (error instanceof ProtocolError) {
    if (error.code === ProtocolErrorCode.InvalidParams && /not found|unknown tool/i.test(error.message)) {
      return hostResult('not_found', `The tool ${toolName} does not exist on its server any more.`);
    }
    if (error.code === ProtocolErrorCode.InvalidParams) {
      return hostResult('error', `The arguments were not accepted: ${error.message}`);
    }
    return hostResult('error', `The tool failed: ${error.message}`);
  }
  if (error instanceof SdkError && error.code === SdkErrorCode.InvalidResult) {
    return hostResult('error', 'The tool returned a result that does not match its declared output.');
  }
  const message = error instanceof Error ? error.message : String(error);
  return hostResult('error', `The tool failed: ${message}`);
}
