import OpenAI, { APIError, APIUserAbortError } from 'openai';
import type {
  ChatCompletionChunk,
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from 'openai/resources/chat/completions';
import { VrmError } from '../errors.js';
import type {
  ChatMessage,
  LanguageModel,
  LanguageModelEvent,
  LanguageModelRequest,
  ToolCallRequest,
} from './types.js';

export interface OpenAiLanguageModelOptions {
  readonly apiKey: string;
  /** Any OpenAI-compatible endpoint (a local model server, a gateway, a test double). */
  readonly baseURL?: string;
  readonly model: string;
  /** Provider label in traces; `openai` unless this is another compatible vendor. */
  readonly name?: string;
  /** Connect-to-last-byte budget per request. The fallback's first-token budget is usually tighter. */
  readonly timeoutMs?: number;
}

/**
 * Chat Completions streaming over the `openai` SDK. Retries are off (`maxRetries: 0`): in a live
 * call the next provider in the fallback chain answers sooner than a backed-off retry would.
 */
export class OpenAiLanguageModel implements LanguageModel {
  readonly name: string;
  readonly model: string;
  private readonly client: OpenAI;

  constructor(options: OpenAiLanguageModelOptions) {
    this.name = options.name ?? 'openai';
    this.model = options.model;
    this.client = new OpenAI({
      apiKey: options.apiKey,
      baseURL: options.baseURL,
      maxRetries: 0,
      timeout: options.timeoutMs ?? 30_000,
    });
  }

  async *stream(request: LanguageModelRequest): AsyncGenerator<LanguageModelEvent> {
    const started = performance.now();
    let firstTokenMs: number | undefined;
    const partial = new Map<number, { id: string; name: string; arguments: string }>();
    let finishReason = 'stop';
    let usage: { promptTokens: number; completionTokens: number } | undefined;
    let model = this.model;
    try {
      const stream = await this.client.chat.completions.create(
        {
          model: this.model,
          messages: request.messages.map(toOpenAiMessage),
          tools: request.tools?.map(
            (t): ChatCompletionTool => ({
              type: 'function',
              function: { name: t.name, description: t.description, parameters: t.parameters },
            }),
          ),
          temperature: request.temperature,
          max_completion_tokens: request.maxTokens,
          stream: true,
          stream_options: { include_usage: true },
        },
        { signal: request.signal },
      );
      for await (const chunk of stream as AsyncIterable<ChatCompletionChunk>) {
        model = chunk.model || model;
        if (chunk.usage) {
          usage = {
            promptTokens: chunk.usage.prompt_tokens,
            completionTokens: chunk.usage.completion_tokens,
          };
        }
        const choice = chunk.choices[0];
        if (!choice) continue;
        const delta = choice.delta;
        if (delta?.content) {
          firstTokenMs ??= performance.now() - started;
          yield { type: 'text', delta: delta.content };
        }
        for (const fragment of delta?.tool_calls ?? []) {
          firstTokenMs ??= performance.now() - started;
          // The first fragment of a call carries id and name; later ones only argument text.
          let call = partial.get(fragment.index);
          if (!call) {
            call = { id: fragment.id ?? `call_${fragment.index}`, name: '', arguments: '' };
            partial.set(fragment.index, call);
          }
          if (fragment.id) call.id = fragment.id;
          if (fragment.function?.name) call.name += fragment.function.name;
          if (fragment.function?.arguments) call.arguments += fragment.function.arguments;
        }
        if (choice.finish_reason) finishReason = choice.finish_reason;
      }
    } catch (error) {
      throw toVrmError(error, request.signal);
    }
    const indexes = [...partial.keys()].sort((a, b) => a - b);
    for (const index of indexes) {
      const call: ToolCallRequest = partial.get(index)!;
      if (call.name) yield { type: 'tool-call', call };
    }
    yield { type: 'done', finishReason, usage, firstTokenMs, model };
  }
}

function toOpenAiMessage(m: ChatMessage): ChatCompletionMessageParam {
  switch (m.role) {
    case 'system':
    case 'user':
      return { role: m.role, content: m.content };
    case 'tool':
      return { role: 'tool', tool_call_id: m.toolCallId, content: m.content };
    case 'assistant':
      return m.toolCalls && m.toolCalls.length > 0
        ? {
            role: 'assistant',
            content: m.content === '' ? null : m.content,
            tool_calls: m.toolCalls.map((c) => ({
              id: c.id,
              type: 'function' as const,
              function: { name: c.name, arguments: c.arguments },
            })),
          }
        : { role: 'assistant', content: m.content };
  }
}

function toVrmError(error: unknown, signal: AbortSignal): VrmError {
  if (error instanceof VrmError) return error;
  if (error instanceof APIUserAbortError || signal.aborted) {
    return new VrmError('aborted', 'The request was cancelled', { cause: error, retryable: false });
  }
  if (error instanceof APIError) {
    const status = error.status;
    // Auth and request-shape errors will fail on a retry too; overload and outages may not.
    const retryable =
      status === undefined || status === 408 || status === 409 || status === 429 || status >= 500;
    return new VrmError('llm_failed', `Language model request failed: ${error.message}`, {
      status: 502,
      retryable,
      cause: error,
      details: { providerStatus: status },
    });
  }
  return new VrmError('llm_failed', `Language model request failed: ${String(error)}`, {
    status: 502,
    retryable: true,
    cause: error,
  });
}
