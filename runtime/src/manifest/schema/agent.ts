import { z } from 'zod';
import { checkManifestSemantics } from '../semantic.js';
import { slug, templateText, VARIABLE_NAME_PATTERN } from './common.js';
import { ConversationTestSchema } from './conversation-tests.js';
import { AnalysisSchema, WebhookSchema } from './post-call.js';
import { LlmSchema, SttSchema, TtsSchema } from './providers.js';
import { ToolEntrySchema } from './tools.js';
import { TurnTakingSchema } from './turn-taking.js';

const isTimeZone = (zone: string) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

export const VariableSchema = z
  .strictObject({
    default: z
      .union([z.string(), z.number(), z.boolean()])
      .describe('Value used when the call does not supply one.'),
    description: z.string().min(1).optional().describe('What the variable is for, shown in the studio.'),
  })
  .describe('A custom variable usable as `{{name}}` in templates.');

/** The structure of a manifest, before the checks that relate one field to another. */
export const AgentManifestShape = z.strictObject({
  apiVersion: z.literal('vrm/v1').describe('Manifest format version. Always `vrm/v1`.'),
  kind: z.literal('Agent').describe('Kind of document. Always `Agent`.'),
  name: slug().describe('Unique name of the agent in the organization, a slug such as `front-desk`.'),
  description: z.string().min(1).optional().describe('What the agent is for, shown in the studio.'),
  timezone: z
    .string()
    .refine(isTimeZone, 'expected an IANA time zone such as "America/New_York" or "UTC"')
    .default('UTC')
    .describe('IANA time zone used for `{{now}}` and for anything the agent says about dates and times.'),
  variables: z
    .record(
      z
        .string()
        .regex(
          VARIABLE_NAME_PATTERN,
          'a variable name is lowercase letters, digits and "_", starting with a letter or "_"',
        ),
      VariableSchema,
    )
    .default({})
    .describe('Custom variables, by name, each with a default. Reference them as `{{name}}` in templates.'),
  greeting: templateText()
    .optional()
    .describe(
      'What the agent says when it answers. May use variables. Omit it to let the caller speak first.',
    ),
  instructions: templateText().describe(
    'The system prompt: who the agent is, what it may do and how it speaks. May use variables such as {{caller.number}} and {{now}}.',
  ),
  llm: LlmSchema,
  stt: SttSchema,
  tts: TtsSchema,
  turnTaking: TurnTakingSchema.prefault({}),
  tools: z
    .array(ToolEntrySchema)
    .default([])
    .describe('Tools the agent may call: MCP servers by name and built-in tools.'),
  analysis: AnalysisSchema.prefault({}),
  webhooks: z.array(WebhookSchema).default([]).describe('Endpoints notified of call events.'),
  tests: z.array(ConversationTestSchema).default([]).describe('Conversation tests run by `vrm test`.'),
});

/**
 * The agent manifest. Besides its structure it checks what relates fields to each other: every
 * template variable is declared, tool names in settings and tests exist, nothing is listed twice.
 * Those checks run even when other fields are wrong, so one validation reports everything.
 */
export const AgentManifestSchema = AgentManifestShape.superRefine(checkManifestSemantics, {
  when: () => true,
}).describe('A VRM agent: how it sounds, what it knows, which tools it may use and how it is tested.');

export type AgentManifest = z.infer<typeof AgentManifestSchema>;
/** A manifest as written, before defaults are applied. */
export type AgentManifestInput = z.input<typeof AgentManifestSchema>;
