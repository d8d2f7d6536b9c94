import { z } from 'zod';
import { JsonObjectSchema } from './common.js';

const validRegex = z
  .string()
  .min(1)
  .superRefine((pattern, ctx) => {
    try {
      new RegExp(pattern, 'i');
    } catch (error) {
      ctx.addIssue({
        code: 'custom',
        message: `invalid regular expression: ${error instanceof Error ? error.message.replace(/^Invalid regular expression: /, '') : String(error)}`,
      });
    }
  });

const phrases = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

export const ReplyExpectationSchema = z
  .strictObject({
    contains: phrases
      .optional()
      .describe('Text (or list of texts) the reply must contain, compared case-insensitively.'),
    notContains: phrases
      .optional()
      .describe('Text (or list of texts) the reply must not contain, case-insensitively.'),
    regex: validRegex
      .optional()
      .describe('A regular expression the reply must match (JavaScript syntax, case-insensitive).'),
  })
  .describe("Expectations on the agent's spoken reply to this turn.");

export const ToolCallExpectationSchema = z
  .strictObject({
    tool: z
      .string()
      .min(1)
      .describe(
        'The tool, as the model sees it: `<server>__<tool>` for MCP tools (`crm__add_note`) or a built-in name (`end_call`).',
      ),
    arguments: JsonObjectSchema.optional().describe(
      'Arguments the call must include. Matched as a subset: other arguments may be present; nested objects match the same way.',
    ),
  })
  .describe('A tool call the agent must make.');

export const TurnExpectationSchema = z
  .strictObject({
    reply: ReplyExpectationSchema.optional(),
    toolCalls: z
      .array(ToolCallExpectationSchema)
      .min(1)
      .optional()
      .describe(
        'Tool calls the agent must make during this turn, in this order (other calls may come between).',
      ),
    notCalled: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe(
        'Tools the agent must not call during this turn (e.g. a payment before the caller confirmed).',
      ),
  })
  .describe('What must hold after the agent answers this turn.');

export const ConversationTurnSchema = z
  .strictObject({
    caller: z.string().min(1).describe('What the caller says.'),
    expect: TurnExpectationSchema.optional(),
  })
  .describe('One caller turn and what the agent must do in response.');

export const ConversationTestSchema = z
  .strictObject({
    name: z.string().min(1).describe('What the test checks, shown in `vrm test` output.'),
    variables: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
      .optional()
      .describe(
        'Variable values for this test, e.g. `caller.number`; declared variables keep their defaults otherwise.',
      ),
    turns: z.array(ConversationTurnSchema).min(1).describe('The conversation, one caller turn at a time.'),
  })
  .describe('A scripted conversation with expectations, run by `vrm test`.');
