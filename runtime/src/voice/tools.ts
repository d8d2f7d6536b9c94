import type { ToolSpec } from '../providers/types.js';

/** A tool the agent may call, as the model sees it plus what the loop needs to run it safely. */
export interface ToolDefinition extends ToolSpec {
  /**
   * The tool changes something outside the call (a payment, a cancellation). The loop reads the
   * call back to the caller and runs it only after a spoken "yes".
   */
  readonly destructive?: boolean;
  /** Read-back for a destructive tool; `{arg}` placeholders are replaced by the call's arguments. */
  readonly confirmationPrompt?: string;
  /** Phrases for this tool when it is slow (instead of the agent's defaults). */
  readonly fillers?: readonly string[];
  /** How long it may run before a filler is spoken. */
  readonly fillerAfterMs?: number;
  /** Time limit per call. */
  readonly timeoutMs?: number;
}

export interface ToolProgress {
  readonly progress: number;
  readonly total?: number;
  readonly message?: string;
}

export interface ToolExecutionOptions {
  /** Aborts when the caller barges in or the call ends. */
  readonly signal: AbortSignal;
  readonly timeoutMs?: number;
  readonly onProgress?: (progress: ToolProgress) => void;
}

/** What the model gets back. Tool failures are results (`ok: false`), not exceptions. */
export interface ToolOutcome {
  readonly ok: boolean;
  readonly content: string;
}

/**
 * The loop's view of tools. The MCP host implements it (namespaced `server__tool` names); by the
 * time `execute` runs a destructive tool the caller has already confirmed it, so an adapter's own
 * confirmation hook can answer yes.
 */
export interface ToolExecutor {
  list(): Promise<readonly ToolDefinition[]>;
  /** Runs a tool. May throw; the loop turns a throw into an `ok: false` outcome. */
  execute(name: string, args: Record<string, unknown>, options: ToolExecutionOptions): Promise<ToolOutcome>;
}

/** No tools at all (the CLI without MCP servers, tests). */
export const noTools: ToolExecutor = {
  list: async () => [],
  execute: async (name) => ({ ok: false, content: `Unknown tool: ${name}` }),
};

export const END_CALL_TOOL = 'end_call';
export const TRANSFER_CALL_TOOL = 'transfer_call';
export const SEND_DTMF_TOOL = 'send_dtmf';

/** The built-in tools the config enables, in OpenAI function format. */
export function builtinToolSpecs(options: {
  endCall: boolean;
  endCallDescription?: string;
  transferTargets: Record<string, { number: string; description?: string }>;
  transferDescription?: string;
  sendDtmf?: boolean;
  sendDtmfDescription?: string;
}): ToolSpec[] {
  const specs: ToolSpec[] = [];
  if (options.endCall) {
    specs.push({
      name: END_CALL_TOOL,
      description:
        options.endCallDescription ??
        'End the phone call once the caller has what they need and has said goodbye. ' +
          'Say your goodbye in the same reply before calling it.',
      parameters: {
        type: 'object',
        properties: { reason: { type: 'string', description: 'Why the call ends' } },
        additionalProperties: false,
      },
    });
  }
  const targets = Object.keys(options.transferTargets);
  if (targets.length > 0) {
    const choices = Object.entries(options.transferTargets)
      .map(([name, t]) => (t.description ? `${name}: ${t.description}` : name))
      .join('; ');
    const when =
      options.transferDescription ??
      'Transfer the caller to a person when they ask for one or you cannot help.';
    specs.push({
      name: TRANSFER_CALL_TOOL,
      description: `${when} Tell the caller before you transfer. Destinations: ${choices}.`,
      parameters: {
        type: 'object',
        properties: {
          destination: { type: 'string', enum: targets, description: 'Where to transfer the call' },
          reason: { type: 'string' },
        },
        required: ['destination'],
        additionalProperties: false,
      },
    });
  }
  if (options.sendDtmf) {
    specs.push({
      name: SEND_DTMF_TOOL,
      description:
        options.sendDtmfDescription ??
        'Press keys on the phone keypad, e.g. to navigate a phone menu. The keys play after what ' +
          'you say in the same reply; the other side answers in the next turn.',
      parameters: {
        type: 'object',
        properties: {
          digits: {
            type: 'string',
            pattern: '^[0-9*#wW]{1,32}$',
            description: 'Keys to press in order: 0-9, * and #; "w" waits half a second.',
          },
        },
        required: ['digits'],
        additionalProperties: false,
      },
    });
  }
  return specs;
}

/** Parses the model's argument JSON; a malformed or non-object value becomes an error message. */
export function parseToolArguments(
  raw: string,
): { ok: true; args: Record<string, unknown> } | { ok: false; error: string } {
  if (raw.trim() === '') return { ok: true, args: {} };
  try {
    const value: unknown = JSON.parse(raw);
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      return { ok: true, args: value as Record<string, unknown> };
    }
    return { ok: false, error: 'Tool arguments must be a JSON object.' };
  } catch {
    return { ok: false, error: 'Tool arguments are not valid JSON.' };
  }
}

/** The spoken read-back before a destructive tool. */
export function confirmationPrompt(tool: ToolDefinition, args: Record<string, unknown>): string {
  if (tool.confirmationPrompt) {
    return tool.confirmationPrompt.replace(/\{(\w+)\}/g, (_, key: string) => spokenValue(args[key]));
  }
  const action = humanize(
    tool.name.includes('__') ? tool.name.slice(tool.name.indexOf('__') + 2) : tool.name,
  );
  const details = Object.entries(args)
    .filter(([, v]) => v !== undefined && v !== null && v !== '')
    .map(([k, v]) => `${humanize(k)} ${spokenValue(v)}`)
    .join(', ');
  return `Just to confirm, I'm about to ${action}${details ? ` with ${details}` : ''}. Shall I go ahead?`;
}

const YES =
  /^(yes|yeah|yep|yup|sure|correct|right|ok|okay|please do|go ahead|do it|confirm|confirmed|affirmative|that's right|absolutely|of course)\b/;
const NO = /^(no|nope|nah|don't|do not|stop|cancel|wait|hold on|never mind|negative|not now)\b/;

/** Reads a caller's answer to a read-back: `yes`, `no`, or `unclear`. Keypad 1 is yes, 2 is no. */
export function classifyConfirmation(answer: string): 'yes' | 'no' | 'unclear' {
  const text = answer
    .toLowerCase()
    .replace(/[^\p{L}\p{N}' ]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const keyed = /^keypad ([0-9*#]+)$/.exec(text);
  if (keyed) return keyed[1] === '1' ? 'yes' : keyed[1] === '2' ? 'no' : 'unclear';
  if (NO.test(text)) return 'no';
  if (YES.test(text)) return 'yes';
  return 'unclear';
}

function humanize(name: string): string {
  return name
    .replace(/[_-]+/g, ' ')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .trim();
}

function spokenValue(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
