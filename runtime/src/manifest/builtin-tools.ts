import { z } from 'zod';
import type { AgentManifest } from './schema/agent.js';

type ToolEntry = AgentManifest['tools'][number];
type BuiltinEntry = Extract<ToolEntry, { builtin: string }>;

/** What the model is offered for a built-in tool: its name, when to use it and its arguments. */
export interface BuiltinToolSpec {
  name: BuiltinEntry['builtin'];
  description: string;
  /** Validates the arguments the model sends; its JSON Schema is what the model sees. */
  input: z.ZodType;
}

const DEFAULT_DESCRIPTIONS: Record<BuiltinEntry['builtin'], string> = {
  end_call: 'End the call once the caller has what they need and has said goodbye.',
  transfer_call: 'Transfer the caller to a person when they ask for one or you cannot help.',
  send_dtmf: 'Press keys on the phone keypad, e.g. to navigate a phone menu.',
};

/**
 * The tool a built-in entry of the manifest becomes. The argument shapes are the contract between
 * the manifest (conversation tests name them) and the voice loop that carries them out.
 */
export function builtinToolSpec(entry: BuiltinEntry): BuiltinToolSpec {
  const description = entry.description ?? DEFAULT_DESCRIPTIONS[entry.builtin];
  switch (entry.builtin) {
    case 'end_call':
      return {
        name: 'end_call',
        description,
        input: z.strictObject({
          reason: z.string().max(500).optional().describe('Why the call is ending, for the trace.'),
        }),
      };
    case 'transfer_call': {
      const names = entry.destinations.map((d) => d.name) as [string, ...string[]];
      const choices = entry.destinations.map((d) => `${d.name}: ${d.description}`).join('; ');
      return {
        name: 'transfer_call',
        description: `${description} Destinations — ${choices}.`,
        input: z.strictObject({ destination: z.enum(names).describe('Where to transfer the caller.') }),
      };
    }
    case 'send_dtmf':
      return {
        name: 'send_dtmf',
        description,
        input: z.strictObject({
          digits: z
            .string()
            .regex(/^[0-9*#wW]{1,32}$/)
            .describe('Keys to press in order: 0-9, * and #; "w" waits half a second.'),
        }),
      };
  }
}
