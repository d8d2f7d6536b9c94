import { z } from 'zod';
import {
  JsonObjectSchema,
  MCP_SERVER_NAME_PATTERN,
  millis,
  PhoneNumberSchema,
  slug,
  templateText,
  toolName,
} from './common.js';

export const ToolSettingsSchema = z
  .strictObject({
    pinned: JsonObjectSchema.optional().describe(
      'Arguments the runtime always sets on this tool. They are removed from the schema the model sees, so the model can neither see nor change them (an account id, a source tag).',
    ),
    confirm: z
      .boolean()
      .default(false)
      .describe(
        'The agent must read the action back and hear a spoken "yes" before the tool runs. Use it for anything that moves money or deletes data.',
      ),
    fillers: z
      .array(templateText())
      .min(1)
      .optional()
      .describe(
        'Phrases the agent says while a slow call runs ("One moment while I look that up."); one is picked at random.',
      ),
    fillerAfterMs: millis(0, 30_000)
      .default(1_000)
      .describe('How long the tool may run before a filler phrase is spoken.'),
    timeoutMs: millis(100, 300_000)
      .optional()
      .describe("Time limit for this tool's calls; overrides the server's `timeoutMs`."),
  })
  .describe('Settings for one tool of an MCP server.');

export const McpToolsSchema = z
  .strictObject({
    mcp: z
      .string()
      .regex(
        MCP_SERVER_NAME_PATTERN,
        'an MCP server name is lowercase letters, digits, "-" and single "_" (the runtime uses "__" to join server and tool names)',
      )
      .describe(
        'Name of an MCP server registered for the organization. Its tools reach the model as `<server>__<tool>`.',
      ),
    allow: z
      .array(toolName())
      .min(1)
      .optional()
      .describe(
        'Only these tools of the server are offered to the model. Omit to offer all of them (minus `deny`).',
      ),
    deny: z.array(toolName()).default([]).describe('Tools of the server never offered to the model.'),
    timeoutMs: millis(100, 300_000)
      .default(10_000)
      .describe("Time limit for each of this server's tool calls."),
    settings: z
      .record(toolName(), ToolSettingsSchema)
      .default({})
      .describe('Per-tool settings, keyed by the tool name on the server (without the `<server>__` prefix).'),
  })
  .describe('Tools from an MCP server.');

export const BUILTIN_TOOLS = ['end_call', 'transfer_call', 'send_dtmf'] as const;
export type BuiltinToolName = (typeof BUILTIN_TOOLS)[number];

const whenToUse = (fallback: string) =>
  z.string().min(1).optional().describe(`Tells the model when to use this tool. Default: "${fallback}"`);

export const EndCallToolSchema = z
  .strictObject({
    builtin: z.literal('end_call').describe('Lets the agent hang up.'),
    description: whenToUse('End the call once the caller has what they need and has said goodbye.'),
    goodbye: templateText().optional().describe('What the agent says before hanging up. May use variables.'),
  })
  .describe('Built-in tool: end the call.');

export const TransferDestinationSchema = z
  .strictObject({
    name: slug().describe('Short name the model uses to pick this destination, e.g. `billing`.'),
    number: PhoneNumberSchema.describe(
      'Phone number to transfer to, in E.164 form ("+15551234567"), quoted.',
    ),
    description: z
      .string()
      .min(1)
      .describe('When to transfer here, for the model ("billing disputes over $500").'),
  })
  .describe('A number the agent may transfer the caller to.');

export const TransferCallToolSchema = z
  .strictObject({
    builtin: z.literal('transfer_call').describe('Lets the agent transfer the caller to a person.'),
    description: whenToUse('Transfer the caller to a person when they ask for one or you cannot help.'),
    destinations: z.array(TransferDestinationSchema).min(1).describe('Where calls may be transferred.'),
    announcement: templateText()
      .default('Please hold while I transfer you.')
      .describe('What the agent says before transferring. May use variables.'),
  })
  .describe('Built-in tool: transfer the call to a phone number.');

export const SendDtmfToolSchema = z
  .strictObject({
    builtin: z
      .literal('send_dtmf')
      .describe('Lets the agent press phone keys (to navigate another phone menu).'),
    description: whenToUse('Press keys on the phone keypad, e.g. to navigate a phone menu.'),
  })
  .describe('Built-in tool: send DTMF tones.');

export const BuiltinToolSchema = z
  .discriminatedUnion('builtin', [EndCallToolSchema, TransferCallToolSchema, SendDtmfToolSchema])
  .describe('A tool built into the runtime.');

export const ToolEntrySchema = z
  .union([McpToolsSchema, BuiltinToolSchema])
  .describe('Either the tools of an MCP server (`mcp: <server>`) or a built-in tool (`builtin: <name>`).');

/**
 * Which branch of `ToolEntrySchema` an entry means, judged by its identifying key, so an error
 * describes the entry the builder was writing rather than every alternative at once.
 */
export function toolEntryBranch(input: unknown): number | undefined {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return undefined;
  if ('mcp' in input) return 0;
  if ('builtin' in input) return 1;
  return undefined;
}

export const TOOL_ENTRY_HINT =
  'a tool entry needs either `mcp: <server name>` or `builtin: end_call | transfer_call | send_dtmf`';
