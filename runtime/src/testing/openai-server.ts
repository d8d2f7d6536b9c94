import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import { closeServer, listenLocal, trackSockets } from './http-util.js';
import {
  type ChatCompletionRequest,
  ChatCompletionRequestSchema,
  countPromptTokens,
  defaultError,
  errorBody,
  fragmentArguments,
  tokenize,
} from './openai-protocol.js';
import { delay, type ProtocolViolation, parseJson, ViolationLog } from './violations.js';

export type { ChatCompletionRequest } from './openai-protocol.js';

/** What the scripted model answers: text, tool calls, or both. */
export interface ScriptedReply {
  content?: string;
  toolCalls?: Array<{ name: string; arguments: string | Record<string, unknown>; id?: string }>;
  /** Default: `tool_calls` when there are tool calls, else `stop`. */
  finishReason?: 'stop' | 'length' | 'tool_calls' | 'content_filter';
}

/** Maps a validated request (and its 0-based number) to the reply; a string is text content. */
export type Responder = (
  request: ChatCompletionRequest,
  index: number,
) => ScriptedReply | string | Promise<ScriptedReply | string>;

/** Options of {@link startOpenAIServer}. */
export interface OpenAIServerOptions {
  port?: number;
  /** When set, only `Authorization: Bearer <apiKey>` is accepted; otherwise any bearer key. */
  apiKey?: string;
  /** The model's behaviour. Default: repeats the last user message after "You said: ". */
  reply?: Responder;
  /** Delay from the response headers to the first token. Default 0. */
  timeToFirstTokenMs?: number;
  /** Delay between streamed chunks. Default 0. */
  tokenDelayMs?: number;
  /** Model name reported back. Default: the requested model with a date suffix. */
  responseModel?: string;
}

/** An error the server answers with instead of a completion. */
export interface InjectedFailure {
  status?: number;
  message?: string;
  type?: string;
  code?: string | null;
  headers?: Record<string, string>;
}

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** The parsed JSON body (also when it failed validation). */
  readonly body: unknown;
}

/** A running OpenAI fake; see {@link startOpenAIServer}. */
export interface OpenAIServer {
  /** `http://127.0.0.1:PORT/v1`: the SDK's `baseURL` (OPENAI_BASE_URL). */
  readonly url: string;
  readonly port: number;
  readonly requests: readonly RecordedRequest[];
  readonly violations: readonly ProtocolViolation[];
  /** Replaces the responder for later requests. */
  setReply(reply: Responder): void;
  /** Answers the next `count` completion requests with an error (500 by default). */
  failNext(count: number, failure?: InjectedFailure): void;
  /** Never finishes the next `count` requests: no headers, or a stream that stalls after `afterChunks`. */
  hangNext(count: number, afterChunks?: number): void;
  close(): Promise<void>;
}

/**
 * Starts a local server for OpenAI Chat Completions, streaming (SSE `data:` lines ending with
 * `data: [DONE]`) and not, with scripted replies streamed token by token at a set pace.
 */
export async function startOpenAIServer(options: OpenAIServerOptions = {}): Promise<OpenAIServer> {
  const log = new ViolationLog('openai');
  const requests: RecordedRequest[] = [];
  let reply: Responder = options.reply ?? echo;
  let completions = 0;
  let failures: { count: number; failure: InjectedFailure } = { count: 0, failure: {} };
  let hangs: { count: number; afterChunks: number | undefined } = { count: 0, afterChunks: undefined };

  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const parsed = raw ? parseJson(raw) : { ok: true as const, value: undefined };
    requests.push({
      method: req.method ?? 'GET',
      path,
      headers: req.headers,
      body: parsed.ok ? parsed.value : raw,
    });
    res.setHeader('x-request-id', `req_${randomBytes(12).toString('hex')}`);

    const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    if (!auth || (options.apiKey !== undefined && auth[1] !== options.apiKey)) {
      return json(res, 401, defaultError(401));
    }
    if (req.method === 'GET' && path === '/v1/models') {
      return json(res, 200, {
        object: 'list',
        data: [{ id: 'gpt-4o-mini', object: 'model', created: 0, owned_by: 'system' }],
      });
    }
    if (req.method !== 'POST' || path !== '/v1/chat/completions') {
      return json(res, 404, errorBody(`Invalid URL (${req.method} ${path})`, 'invalid_request_error'));
    }
    if (!parsed.ok) {
      log.record('body is not JSON', raw);
      return json(
        res,
        400,
        errorBody('We could not parse the JSON body of your request.', 'invalid_request_error'),
      );
    }
    const request = log.check(
      ChatCompletionRequestSchema,
      parsed.value,
      'invalid chat completion request',
      raw,
    );
    if (!request)
      return json(res, 400, errorBody('Invalid chat completion request.', 'invalid_request_error'));

    const index = completions++;
    if (failures.count > 0) {
      failures.count--;
      const { status = 500, message, type, code = null, headers = {} } = failures.failure;
      const body =
        message || type ? errorBody(message ?? 'Error', type ?? 'server_error', code) : defaultError(status);
      for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
      return json(res, status, body);
    }
    let hangAfter: number | undefined;
    if (hangs.count > 0) {
      hangs.count--;
      if (hangs.afterChunks === undefined) return; // the socket stays open until the client gives up
      hangAfter = hangs.afterChunks;
    }
    const answer = normalize(await reply(request, index));
    const model = options.responseModel ?? `${request.model}-2024-07-18`;
    if (request.stream) await stream(res, request, answer, model, hangAfter);
    else json(res, 200, completion(request, answer, model));
  });
  const sockets = trackSockets(server);

  async function stream(
    res: ServerResponse,
    request: ChatCompletionRequest,
    answer: NormalizedReply,
    model: string,
    hangAfter: number | undefined,
  ) {
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache' });
    const includeUsage = request.stream_options?.include_usage === true;
    const obfuscate = request.stream_options?.include_obfuscation !== false;
    const envelope = {
      id: `chatcmpl-${randomBytes(12).toString('hex')}`,
      object: 'chat.completion.chunk',
      created: now(),
      model,
      service_tier: 'default',
      system_fingerprint: 'fp_vrmtest',
    };
    let sent = 0;
    const write = async (delta: Record<string, unknown>, finish: string | null = null) => {
      if (res.destroyed) return false;
      if (hangAfter !== undefined && sent >= hangAfter) return false;
      await delay(sent === 0 ? (options.timeToFirstTokenMs ?? 0) : (options.tokenDelayMs ?? 0));
      const chunk: Record<string, unknown> = {
        ...envelope,
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
        ...(includeUsage ? { usage: null } : {}),
        ...(obfuscate ? { obfuscation: randomBytes(4).toString('base64url') } : {}),
      };
      res.write(`data: ${JSON.stringify(chunk)}\n\n`);
      sent++;
      return !res.destroyed;
    };

    let tokens = 0;
    if (answer.content !== undefined) {
      if (!(await write({ role: 'assistant', content: '', refusal: null }))) return;
      for (const token of tokenize(answer.content)) {
        if (!(await write({ content: token }))) return;
        tokens++;
      }
    }
    for (const [i, call] of answer.toolCalls.entries()) {
      const opening = {
        index: i,
        id: call.id,
        type: 'function',
        function: { name: call.name, arguments: '' },
      };
      const first =
        answer.content === undefined && i === 0
          ? { role: 'assistant', content: null, tool_calls: [opening], refusal: null }
          : { tool_calls: [opening] };
      if (!(await write(first))) return;
      for (const fragment of fragmentArguments(call.arguments)) {
        if (!(await write({ tool_calls: [{ index: i, function: { arguments: fragment } }] }))) return;
        tokens++;
      }
    }
    if (!(await write({}, answer.finishReason))) return;
    if (includeUsage) {
      const usage = usageOf(request, tokens);
      res.write(`data: ${JSON.stringify({ ...envelope, choices: [], usage })}\n\n`);
    }
    res.end('data: [DONE]\n\n');
  }

  const port = await listenLocal(server, options.port);
  return {
    url: `http://127.0.0.1:${port}/v1`,
    port,
    requests,
    violations: log.violations,
    setReply(next) {
      reply = next;
    },
    failNext(count, failure = {}) {
      failures = { count, failure };
    },
    hangNext(count, afterChunks) {
      hangs = { count, afterChunks };
    },
    close: () => closeServer(server, sockets),
  };
}

type NormalizedReply = Required<Pick<ScriptedReply, 'finishReason'>> & {
  content: string | undefined;
  toolCalls: Array<{ id: string; name: string; arguments: string }>;
};

function normalize(reply: ScriptedReply | string): NormalizedReply {
  const r = typeof reply === 'string' ? { content: reply } : reply;
  const toolCalls = (r.toolCalls ?? []).map((c) => ({
    id: c.id ?? `call_${randomBytes(12).toString('base64url')}`,
    name: c.name,
    arguments: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments),
  }));
  return {
    content: r.content ?? (toolCalls.length === 0 ? '' : undefined),
    toolCalls,
    finishReason: r.finishReason ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop'),
  };
}

function completion(request: ChatCompletionRequest, answer: NormalizedReply, model: string) {
  const tokens =
    tokenize(answer.content ?? '').length +
    answer.toolCalls.reduce((n, c) => n + fragmentArguments(c.arguments).length, 0);
  return {
    id: `chatcmpl-${randomBytes(12).toString('hex')}`,
    object: 'chat.completion',
    created: now(),
    model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: answer.content ?? null,
          refusal: null,
          annotations: [],
          ...(answer.toolCalls.length > 0
            ? {
                tool_calls: answer.toolCalls.map((c) => ({
                  id: c.id,
                  type: 'function',
                  function: { name: c.name, arguments: c.arguments },
                })),
              }
            : {}),
        },
        logprobs: null,
        finish_reason: answer.finishReason,
      },
    ],
    usage: usageOf(request, tokens),
    service_tier: 'default',
    system_fingerprint: 'fp_vrmtest',
  };
}

function usageOf(request: ChatCompletionRequest, completionTokens: number) {
  const prompt = countPromptTokens(request.messages);
  return {
    prompt_tokens: prompt,
    completion_tokens: completionTokens,
    total_tokens: prompt + completionTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

function echo(request: ChatCompletionRequest): string {
  const last = request.messages.findLast((m) => m.role === 'user');
  const text =
    typeof last?.content === 'string'
      ? last.content
      : (last?.content ?? []).map((p) => ('text' in p ? p.text : '')).join(' ');
  return `You said: ${text}`;
}

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

const now = () => Math.floor(Date.now() / 1000);
