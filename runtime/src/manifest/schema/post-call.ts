import { z } from 'zod';
import { JsonValueSchema, SecretRefSchema } from './common.js';
import { LlmConfigSchema } from './providers.js';

/**
 * A JSON Schema for the data extracted from a call. It is its own vocabulary, so beyond the
 * top-level shape it is passed through unchecked; it must describe an object so the result can be
 * stored and filtered field by field.
 */
export const DataSchemaSchema = z
  .looseObject({
    type: z.literal('object').describe('Always `object`: the extracted data is a set of named fields.'),
    properties: z
      .record(z.string(), JsonValueSchema)
      .refine((properties) => Object.keys(properties).length > 0, 'must name at least one property')
      .describe('The fields to extract, each a JSON Schema (`type`, `description`, `enum`, …).'),
    required: z.array(z.string()).optional().describe('Fields that must always be extracted.'),
  })
  .describe('A JSON Schema (type: object) describing the fields to extract.');

export const AnalysisSchema = z
  .strictObject({
    summary: z
      .strictObject({
        enabled: z.boolean().default(true).describe('Write a short summary of each call.'),
        prompt: z
          .string()
          .min(1)
          .optional()
          .describe('Instructions for the summary, replacing the default prompt.'),
      })
      .prefault({})
      .describe('A prose summary of the call.'),
    structuredData: z
      .strictObject({
        prompt: z.string().min(1).optional().describe('Extra instructions for extracting the data.'),
        schema: DataSchemaSchema,
      })
      .optional()
      .describe(
        'Fields extracted from the transcript into a JSON object (reason for calling, amount promised, …).',
      ),
    successCriteria: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe(
        'Statements judged true or false for each call ("The caller booked an appointment"); a call succeeds when all hold.',
      ),
    llm: LlmConfigSchema.optional().describe(
      "The model that runs the analysis. Defaults to the agent's `llm` (without its fallbacks).",
    ),
  })
  .describe('Post-call analysis, run once the call ends.');

export const WEBHOOK_EVENTS = [
  'call.started',
  'call.ended',
  'call.transferred',
  'call.failed',
  'analysis.completed',
  'tool.called',
  'tool.failed',
] as const;

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export const WebhookSchema = z
  .strictObject({
    url: z
      .url({ protocol: /^https?$/, error: 'expected a URL such as https://hooks.example.com/vrm' })
      .refine((url) => {
        // Checks keep running after a failed format check, so the URL may not parse here.
        const parsed = URL.canParse(url) ? new URL(url) : undefined;
        return !parsed || parsed.protocol === 'https:' || LOOPBACK_HOSTS.has(parsed.hostname);
      }, 'webhook URLs must use https (plain http is allowed only for localhost): payloads carry transcripts')
      .describe('Where events are POSTed as JSON.'),
    events: z
      .array(z.enum(WEBHOOK_EVENTS))
      .min(1)
      .describe(`Events to deliver: ${WEBHOOK_EVENTS.map((e) => `\`${e}\``).join(', ')}.`),
    signingSecret: SecretRefSchema.describe(
      'Secret used to sign each delivery (HMAC-SHA256 in the `X-VRM-Signature` header), as a secret reference.',
    ),
  })
  .describe('An HTTP endpoint that receives call events.');
