import { z } from 'zod';
import { JsonObjectSchema, millis, SecretRefSchema } from './common.js';

/**
 * Providers the runtime has adapters for. A new adapter adds its name here, so a manifest naming
 * a provider the runtime cannot run fails at validation, not on the first call.
 */
export const LLM_PROVIDERS = ['openai'] as const;
export const STT_PROVIDERS = ['deepgram'] as const;
export const TTS_PROVIDERS = ['cartesia'] as const;

const endpoint = {
  baseUrl: z
    .url({ protocol: /^https?$/, error: 'expected an http(s) URL such as https://api.example.com/v1' })
    .optional()
    .describe(
      "Endpoint for this provider's API. Omit it to use the runtime's setting (OPENAI_BASE_URL, DEEPGRAM_BASE_URL, CARTESIA_BASE_URL); set it to reach any compatible server, such as another OpenAI-compatible model host.",
    ),
  apiKey: SecretRefSchema.optional().describe(
    "API key for this endpoint, as a secret reference. Omit it to use the organization's or runtime's key for the provider.",
  ),
  options: JsonObjectSchema.optional().describe(
    "Provider-specific settings passed to the provider's API unchanged (OpenAI `top_p`, Deepgram `smart_format`, …).",
  ),
};

export const LlmConfigSchema = z
  .strictObject({
    provider: z
      .enum(LLM_PROVIDERS)
      .describe('Language model provider. `openai` covers any OpenAI-compatible API via `baseUrl`.'),
    model: z.string().min(1).describe('Model name as the provider knows it, e.g. `gpt-4o-mini`.'),
    ...endpoint,
    temperature: z
      .number()
      .min(0)
      .max(2)
      .optional()
      .describe('Sampling temperature, 0 to 2. Omit for the model default.'),
    maxTokens: z.int().min(1).max(32_768).optional().describe('Upper bound on tokens in one reply.'),
    timeoutMs: millis(500, 60_000)
      .default(5_000)
      .describe(
        'How long to wait for the first token before giving up on this model and trying the next fallback.',
      ),
  })
  .describe('One language model configuration.');

export const SttConfigSchema = z
  .strictObject({
    provider: z.enum(STT_PROVIDERS).describe('Speech-to-text provider.'),
    model: z.string().min(1).describe('Model name as the provider knows it, e.g. `nova-3`.'),
    language: z
      .string()
      .regex(/^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$/, 'expected a BCP 47 language tag such as "en" or "en-US"')
      .default('en')
      .describe('Language of the caller, as a BCP 47 tag (`en`, `en-US`, `es`).'),
    ...endpoint,
    timeoutMs: millis(500, 30_000)
      .default(3_000)
      .describe('How long to wait for the connection to open before trying the next fallback.'),
  })
  .describe('One speech-to-text configuration.');

export const TtsConfigSchema = z
  .strictObject({
    provider: z.enum(TTS_PROVIDERS).describe('Text-to-speech provider.'),
    model: z.string().min(1).describe('Model name as the provider knows it, e.g. `sonic-2`.'),
    voice: z.string().min(1).describe("The provider's voice id."),
    language: z
      .string()
      .regex(/^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$/, 'expected a BCP 47 language tag such as "en" or "en-US"')
      .default('en')
      .describe('Language the agent speaks, as a BCP 47 tag.'),
    ...endpoint,
    timeoutMs: millis(500, 30_000)
      .default(3_000)
      .describe('How long to wait for the first audio before trying the next fallback.'),
  })
  .describe('One text-to-speech configuration.');

const fallbacks = <T extends z.ZodType>(entry: T, what: string) =>
  z
    .array(entry)
    .max(5)
    .default([])
    .describe(
      `Further ${what} configurations tried in order when the one before fails or times out. Each entry is a complete configuration, checked like the primary.`,
    );

export const LlmSchema = LlmConfigSchema.extend({
  fallbacks: fallbacks(LlmConfigSchema, 'language model'),
}).describe('The language model that writes the replies and calls tools, with its fallbacks.');
export const SttSchema = SttConfigSchema.extend({
  fallbacks: fallbacks(SttConfigSchema, 'speech-to-text'),
}).describe("Speech-to-text for the caller's audio, with its fallbacks.");
export const TtsSchema = TtsConfigSchema.extend({
  fallbacks: fallbacks(TtsConfigSchema, 'text-to-speech'),
}).describe("Text-to-speech for the agent's voice, with its fallbacks.");
