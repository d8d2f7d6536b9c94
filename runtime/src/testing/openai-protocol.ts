import { z } from 'zod';

/**
 * OpenAI Chat Completions request shapes (`POST /v1/chat/completions`), strict where the API
 * is: an unknown top-level parameter is a 400 there, so it is a violation here. Message objects
 * are open, because the API accepts a returned message passed back as is (the SDK's helpers
 * add fields such as `parsed`).
 */

const textParts = z.array(z.object({ type: z.literal('text'), text: z.string() }).loose());
const userParts = z.array(
  z.discriminatedUnion('type', [
    z.object({ type: z.literal('text'), text: z.string() }).loose(),
    z.object({ type: z.literal('image_url'), image_url: z.object({ url: z.string() }).loose() }).loose(),
    z
      .object({
        type: z.literal('input_audio'),
        input_audio: z.object({ data: z.string(), format: z.string() }),
      })
      .loose(),
    z.object({ type: z.literal('file'), file: z.object({}).loose() }).loose(),
  ]),
);

export const ToolCallSchema = z
  .object({
    id: z.string().min(1),
    type: z.literal('function'),
    function: z.object({ name: z.string(), arguments: z.string() }).loose(),
  })
  .loose();

export const MessageSchema = z.discriminatedUnion('role', [
  z
    .object({
      role: z.literal('system'),
      content: z.union([z.string(), textParts]),
      name: z.string().optional(),
    })
    .loose(),
  z
    .object({
      role: z.literal('developer'),
      content: z.union([z.string(), textParts]),
      name: z.string().optional(),
    })
    .loose(),
  z
    .object({
      role: z.literal('user'),
      content: z.union([z.string(), userParts]),
      name: z.string().optional(),
    })
    .loose(),
  z
    .object({
      role: z.literal('assistant'),
      content: z.union([z.string(), textParts]).nullish(),
      tool_calls: z.array(ToolCallSchema).optional(),
      refusal: z.string().nullish(),
      name: z.string().optional(),
      audio: z.object({ id: z.string() }).nullish(),
    })
    .loose(),
  z
    .object({
      role: z.literal('tool'),
      tool_call_id: z.string().min(1),
      content: z.union([z.string(), textParts]),
    })
    .loose(),
]);
export type ChatMessage = z.infer<typeof MessageSchema>;

export const ToolSchema = z
  .object({
    type: z.literal('function'),
    function: z
      .object({
        name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'tool names must match ^[a-zA-Z0-9_-]{1,64}$'),
        description: z.string().optional(),
        parameters: z.record(z.string(), z.unknown()).optional(),
        strict: z.boolean().nullish(),
      })
      .strict(),
  })
  .strict();

export const ChatCompletionRequestSchema = z
  .object({
    model: z.string().min(1),
    messages: z.array(MessageSchema).min(1),
    tools: z.array(ToolSchema).optional(),
    tool_choice: z
      .union([
        z.enum(['none', 'auto', 'required']),
        z.object({ type: z.literal('function'), function: z.object({ name: z.string() }) }),
      ])
      .optional(),
    parallel_tool_calls: z.boolean().optional(),
    stream: z.boolean().nullish(),
    stream_options: z
      .object({ include_usage: z.boolean().optional(), include_obfuscation: z.boolean().optional() })
      .strict()
      .nullish(),
    temperature: z.number().min(0).max(2).nullish(),
    top_p: z.number().nullish(),
    max_tokens: z.number().int().positive().nullish(),
    max_completion_tokens: z.number().int().positive().nullish(),
    n: z.literal(1).nullish(),
    stop: z.union([z.string(), z.array(z.string())]).nullish(),
    presence_penalty: z.number().nullish(),
    frequency_penalty: z.number().nullish(),
    logit_bias: z.record(z.string(), z.number()).nullish(),
    logprobs: z.boolean().nullish(),
    top_logprobs: z.number().nullish(),
    seed: z.number().nullish(),
    user: z.string().optional(),
    response_format: z.object({ type: z.string() }).loose().optional(),
    service_tier: z.string().nullish(),
    store: z.boolean().nullish(),
    metadata: z.record(z.string(), z.string()).nullish(),
    reasoning_effort: z.string().nullish(),
    prompt_cache_key: z.string().optional(),
    safety_identifier: z.string().optional(),
    verbosity: z.string().nullish(),
  })
  .strict()
  .superRefine((request, ctx) => {
    if (request.stream_options && !request.stream) {
      ctx.addIssue({
        code: 'custom',
        path: ['stream_options'],
        message: 'stream_options is only allowed when stream is true',
      });
    }
    // Every tool message answers a call of the assistant message before it, and every call is answered.
    let open = new Set<string>();
    request.messages.forEach((message, i) => {
      if (message.role === 'tool') {
        if (!open.delete(message.tool_call_id)) {
          ctx.addIssue({
            code: 'custom',
            path: ['messages', i],
            message: "messages with role 'tool' must be a response to a preceding message with 'tool_calls'",
          });
        }
        return;
      }
      if (open.size > 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['messages', i],
          message: `an assistant message with 'tool_calls' must be followed by tool messages for ${[...open].join(', ')}`,
        });
      }
      open = new Set(message.role === 'assistant' ? (message.tool_calls ?? []).map((c) => c.id) : []);
    });
  });
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequestSchema>;

/** OpenAI's error envelope. */
export function errorBody(
  message: string,
  type: string,
  code: string | null = null,
  param: string | null = null,
) {
  return { error: { message, type, param, code } };
}

/** The error OpenAI returns for common statuses. */
export function defaultError(status: number) {
  if (status === 401)
    return errorBody('Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key');
  if (status === 429) {
    return errorBody(
      'Rate limit reached for requests. Please try again in 1s.',
      'requests',
      'rate_limit_exceeded',
    );
  }
  if (status === 400) return errorBody('Invalid request.', 'invalid_request_error');
  return errorBody(
    'The server had an error while processing your request. Sorry about that!',
    'server_error',
  );
}

/** Splits text into word-and-punctuation tokens, each keeping its leading space, as BPE streams do. */
export function tokenize(text: string): string[] {
  return text.match(/\s*[\p{L}\p{N}'’]+|\s*[^\p{L}\p{N}\s]+|\s+/gu) ?? [];
}

/** Splits a JSON arguments string into fragments like the API's (`{"`, `city`, `":"`, `Paris`, `"}`). */
export function fragmentArguments(json: string): string[] {
  return json.match(/[{}[\]":,\s]+|[^{}[\]":,\s]+/g) ?? [];
}

/** Rough prompt token count (words and punctuation) for the usage figures. */
export function countPromptTokens(messages: readonly ChatMessage[]): number {
  let count = 0;
  for (const message of messages) {
    count += 4;
    const content = 'content' in message ? message.content : undefined;
    if (typeof content === 'string') count += tokenize(content).length;
    else if (Array.isArray(content))
      for (const part of content) if ('text' in part) count += tokenize(String(part.text)).length;
    if (message.role === 'assistant')
      for (const call of message.tool_calls ?? [])
        count += fragmentArguments(call.function.arguments).length + 3;
  }
  return count;
}
