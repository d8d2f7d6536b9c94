import { VrmError } from '../errors.js';
import type { Logger } from '../kernel/logger.js';
import type { FallbackNotice, LanguageModel, ToolCallRequest, ToolSpec } from '../providers/types.js';
import type { VoiceAgentConfig } from './config.js';
import type { Conversation } from './conversation.js';
import { DTMF_DIGITS } from './dtmf-tones.js';
import type { LoopMetrics } from './metrics.js';
import { SentenceSplitter } from './sentences.js';
import {
  builtinToolSpecs,
  classifyConfirmation,
  confirmationPrompt,
  END_CALL_TOOL,
  parseToolArguments,
  SEND_DTMF_TOOL,
  type ToolDefinition,
  type ToolExecutor,
  type ToolOutcome,
  TRANSFER_CALL_TOOL,
} from './tools.js';
import type { Tracer } from './trace.js';
import type { TurnMetricsRecorder } from './turn-metrics.js';

/** What one agent reply produces, in order. */
export type ResponderEvent =
  /** A raw model token delta (the text session prints these). */
  | { readonly type: 'delta'; readonly text: string }
  /** A speakable piece: a sentence of the reply, a filler, a read-back or an apology. */
  | { readonly type: 'speech'; readonly text: string; readonly source: SpeechSource }
  | { readonly type: 'tool-call'; readonly call: ToolCallRequest }
  | { readonly type: 'tool-result'; readonly call: ToolCallRequest; readonly outcome: ToolOutcome }
  /** Keys to press after the speech so far (in-band DTMF); the reply ends with them. */
  | { readonly type: 'dtmf'; readonly digits: string }
  | { readonly type: 'end'; readonly reason: 'agent-hangup' | 'transfer'; readonly transferTo?: string };

export type SpeechSource = 'llm' | 'filler' | 'readback' | 'apology' | 'scripted';

export interface ResponderDeps {
  readonly config: VoiceAgentConfig;
  readonly llm: LanguageModel;
  readonly tools: ToolExecutor;
  readonly conversation: Conversation;
  readonly trace: Tracer;
  readonly metrics: LoopMetrics;
  readonly log: Logger;
  /** Voice calls: receives each turn's first-token latency for `turn.metrics`. */
  readonly turnMetrics?: TurnMetricsRecorder;
}

/** One agent reply: its turn (for traces), its generation (for speech bookkeeping), its abort signal. */
export interface Generation {
  readonly turnId: number;
  readonly generationId: number;
  readonly signal: AbortSignal;
}

/** Tool rounds per reply before the loop stops asking the model (a model stuck calling tools). */
const MAX_TOOL_ROUNDS = 6;

interface PendingConfirmation {
  readonly call: ToolCallRequest;
  readonly args: Record<string, unknown>;
}

/**
 * The agent's brain for one call: turns caller input into replies through the language model and
 * tools. Voice and text sessions share it; only how speech is delivered differs.
 */
export class Responder {
  private tools: ToolDefinition[] | undefined;
  private pending: PendingConfirmation | undefined;
  private fillerIndex = 0;

  constructor(private readonly deps: ResponderDeps) {}

  /** Adds the caller's words to the history and replies. */
  async *reply(text: string, g: Generation): AsyncGenerator<ResponderEvent> {
    const { conversation } = this.deps;
    conversation.addUser(text);
    const pending = this.pending;
    this.pending = undefined;
    if (pending) {
      const answer = classifyConfirmation(text);
      this.deps.trace.emit('tool.confirmation', g.turnId, { tool: pending.call.name, answer });
      if (answer === 'yes') {
        const call = { ...pending.call, id: `${pending.call.id}_confirmed` };
        conversation.addToolCalls(g.generationId, [call]);
        yield { type: 'tool-call', call };
        const outcome = yield* this.runWithFiller([{ call, args: pending.args }], g);
        const result = outcome[0]!;
        conversation.addToolResult(call.id, result.content);
        yield { type: 'tool-result', call, outcome: result };
        if (g.signal.aborted) return;
      }
    }
    yield* this.generate(g);
  }

  /** Speaks fixed text (greeting, re-prompt, resume) and records it as the agent's. */
  *say(
    text: string,
    g: Pick<Generation, 'generationId'>,
    source: SpeechSource = 'scripted',
  ): Generator<ResponderEvent> {
    this.deps.conversation.addSpoken(g.generationId, text);
    yield { type: 'speech', text, source };
  }

  private async *generate(g: Generation): AsyncGenerator<ResponderEvent> {
    const { llm, conversation, config, trace, metrics } = this.deps;
    const { generationId, turnId, signal } = g;
    const specs = await this.toolSpecs();
    for (let round = 0; round < MAX_TOOL_ROUNDS && !signal.aborted; round++) {
      const splitter = new SentenceSplitter();
      const calls: ToolCallRequest[] = [];
      const started = performance.now();
      let firstToken = false;
      // The reply's text, for the trace's transcript (per token, never per audio frame).
      let replyText = '';
      // Traced when it happens (the adapter only reports its own figure once the stream is done).
      const onFirstToken = (ms: number) => {
        firstToken = true;
        metrics.observe('llm_first_token_ms', ms, { provider: llm.name });
        trace.emit('llm.first_token', turnId, { ms: Math.round(ms), round }, started + ms);
        this.deps.turnMetrics?.llmFirstToken(turnId, ms);
      };
      trace.emit('llm.request', turnId, { provider: llm.name, model: llm.model, round });
      try {
        for await (const event of llm.stream({
          messages: conversation.messages,
          tools: specs.length > 0 ? specs : undefined,
          temperature: config.temperature,
          maxTokens: config.maxTokens,
          signal,
        })) {
          if (event.type === 'text') {
            if (!firstToken) onFirstToken(performance.now() - started);
            replyText += event.delta;
            yield { type: 'delta', text: event.delta };
            for (const piece of splitter.push(event.delta)) {
              conversation.addSpoken(generationId, piece);
              yield { type: 'speech', text: piece, source: 'llm' };
            }
          } else if (event.type === 'tool-call') {
            calls.push(event.call);
          } else if (event.type === 'fallback') {
            traceFallback(this.deps, turnId, 'llm', event);
          } else {
            // A reply of tool calls only: its calls arrive assembled, after the first fragment.
            if (!firstToken && event.firstTokenMs !== undefined) onFirstToken(event.firstTokenMs);
            trace.emit('llm.completed', turnId, {
              finishReason: event.finishReason,
              model: event.model,
              usage: event.usage,
              ms: Math.round(performance.now() - started),
              text: replyText,
              toolCalls: calls.map((c) => c.name),
            });
          }
        }
      } catch (error) {
        if (signal.aborted) return;
        const err = asVrmError(error);
        trace.emit('error', turnId, { stage: 'llm', code: err.code, message: err.message });
        metrics.increment('errors_total', { stage: 'llm' });
        this.deps.log.warn({ err: err.message, code: err.code }, 'language model failed on every provider');
        yield* this.say(config.apologyText, g, 'apology');
        return;
      }
      const rest = splitter.flush();
      if (rest) {
        conversation.addSpoken(generationId, rest);
        yield { type: 'speech', text: rest, source: 'llm' };
      }
      if (calls.length === 0 || signal.aborted) return;
      const next = yield* this.handleCalls(calls, g);
      if (next === 'stop') return;
    }
  }

  /** Runs one round of tool calls. Returns 'stop' when the reply must not go back to the model. */
  private async *handleCalls(
    calls: ToolCallRequest[],
    g: Generation,
  ): AsyncGenerator<ResponderEvent, 'continue' | 'stop'> {
    const { conversation, config } = this.deps;
    const { generationId, signal } = g;
    conversation.addToolCalls(generationId, calls);
    const definitions = await this.definitions();
    const runnable: { call: ToolCallRequest; args: Record<string, unknown> }[] = [];
    let end: Extract<ResponderEvent, { type: 'end' }> | undefined;
    let confirmation: string | undefined;
    let keys = '';
    for (const call of calls) {
      yield { type: 'tool-call', call };
      const parsed = parseToolArguments(call.arguments);
      const definition = definitions.find((d) => d.name === call.name);
      let immediate: ToolOutcome | undefined;
      if (!parsed.ok) {
        immediate = { ok: false, content: parsed.error };
      } else if (call.name === END_CALL_TOOL && config.builtins.endCall) {
        immediate = { ok: true, content: 'The call is ending.' };
        end = { type: 'end', reason: 'agent-hangup' };
      } else if (
        call.name === TRANSFER_CALL_TOOL &&
        Object.keys(config.builtins.transferTargets).length > 0
      ) {
        const destination = String(parsed.args.destination ?? '');
        const target = config.builtins.transferTargets[destination];
        immediate = target
          ? { ok: true, content: `Transferring the caller to ${destination}.` }
          : { ok: false, content: `Unknown destination "${destination}".` };
        if (target) end = { type: 'end', reason: 'transfer', transferTo: target.number };
      } else if (call.name === SEND_DTMF_TOOL && config.builtins.sendDtmf) {
        const digits = String(parsed.args.digits ?? '');
        if (DTMF_DIGITS.test(digits)) {
          keys += digits;
          immediate = { ok: true, content: `Pressed ${digits}.` };
        } else {
          immediate = { ok: false, content: 'digits must be 1 to 32 of 0-9, *, # and w (a pause).' };
        }
      } else if (!definition) {
        immediate = { ok: false, content: `Unknown tool: ${call.name}` };
      } else if (definition.destructive && confirmation === undefined && !this.pending) {
        // Ask first; the next caller turn decides (see reply()).
        this.pending = { call, args: parsed.args };
        confirmation = confirmationPrompt(definition, parsed.args);
        immediate = { ok: false, content: 'Not run yet: the caller is being asked to confirm it.' };
      } else if (definition.destructive) {
        immediate = { ok: false, content: 'Not run: confirm one action at a time.' };
      } else {
        runnable.push({ call, args: parsed.args });
        continue;
      }
      conversation.addToolResult(call.id, immediate.content);
      yield { type: 'tool-result', call, outcome: immediate };
    }
    if (runnable.length > 0) {
      const outcomes = yield* this.runWithFiller(runnable, g);
      for (let i = 0; i < runnable.length; i++) {
        const call = runnable[i]!.call;
        conversation.addToolResult(call.id, outcomes[i]!.content);
        yield { type: 'tool-result', call, outcome: outcomes[i]! };
      }
    }
    if (signal.aborted) return 'stop';
    if (keys !== '') {
      yield { type: 'dtmf', digits: keys };
      // The other side answers the keys (a menu's next prompt): that is the next caller turn.
      if (!confirmation && !end) return 'stop';
    }
    if (confirmation) {
      yield* this.say(confirmation, g, 'readback');
      return 'stop';
    }
    if (end) {
      if (conversation.spokenText(generationId).trim() === '') {
        const { goodbye, transferAnnouncement } = config.builtins;
        yield* this.say(end.reason === 'transfer' ? transferAnnouncement : goodbye, g);
      }
      yield end;
      return 'stop';
    }
    return 'continue';
  }

  /** Runs tools in parallel; says a filler phrase if they take longer than `fillers.afterMs`. */
  private async *runWithFiller(
    runs: readonly { call: ToolCallRequest; args: Record<string, unknown> }[],
    g: Generation,
  ): AsyncGenerator<ResponderEvent, ToolOutcome[]> {
    const { tools, trace, metrics, config } = this.deps;
    const { generationId, turnId, signal } = g;
    const all = Promise.all(
      runs.map(async ({ call, args }) => {
        const started = performance.now();
        trace.emit('tool.called', turnId, { tool: call.name, callId: call.id, arguments: args });
        metrics.increment('tool_calls_total', { tool: call.name });
        let outcome: ToolOutcome;
        try {
          outcome = await tools.execute(call.name, args, {
            signal,
            timeoutMs: this.tools?.find((d) => d.name === call.name)?.timeoutMs,
            onProgress: (p) => trace.emit('tool.progress', turnId, { callId: call.id, ...p }),
          });
        } catch (error) {
          outcome = signal.aborted
            ? { ok: false, content: 'Cancelled: the caller interrupted.' }
            : {
                ok: false,
                content: `Tool failed: ${error instanceof Error ? error.message : String(error)}`,
              };
        }
        const ms = performance.now() - started;
        metrics.observe('tool_duration_ms', ms, { tool: call.name });
        // `server`/`tool`/`durationMs`/`isError` are what analytics reads (see db/schema.ts).
        const split = call.name.indexOf('__');
        trace.emit('tool.result', turnId, {
          callId: call.id,
          name: call.name,
          server: split > 0 ? call.name.slice(0, split) : '',
          tool: split > 0 ? call.name.slice(split + 2) : call.name,
          ok: outcome.ok,
          isError: !outcome.ok,
          durationMs: Math.round(ms),
          result: outcome.content.length > 500 ? `${outcome.content.slice(0, 500)}…` : outcome.content,
        });
        return outcome;
      }),
    );
    // A tool's own filler settings win over the agent's.
    const defs = runs.map((r) => this.tools?.find((d) => d.name === r.call.name));
    const afterMs = Math.min(...defs.map((d) => d?.fillerAfterMs ?? config.fillers.afterMs));
    let timer: NodeJS.Timeout | undefined;
    const slow = new Promise<'slow'>((resolve) => {
      timer = setTimeout(() => resolve('slow'), afterMs);
    });
    const first = await Promise.race([all, slow]);
    clearTimeout(timer);
    if (first === 'slow' && !signal.aborted) {
      const phrases = defs.find((d) => d?.fillers)?.fillers ?? config.fillers.phrases;
      const filler = phrases[this.fillerIndex++ % phrases.length]!;
      this.deps.conversation.addSpoken(generationId, filler, { inHistory: false });
      yield { type: 'speech', text: filler, source: 'filler' };
    }
    return await all;
  }

  private async definitions(): Promise<ToolDefinition[]> {
    this.tools ??= [...(await this.deps.tools.list())];
    return this.tools;
  }

  private async toolSpecs(): Promise<ToolSpec[]> {
    const defs = await this.definitions();
    const specs: ToolSpec[] = defs.map((d) => ({
      name: d.name,
      description: d.description,
      parameters: d.parameters,
    }));
    return [...specs, ...builtinToolSpecs(this.deps.config.builtins)];
  }
}

/** Traces and counts a provider switch reported in-band by a `withFallback` wrapper. */
export function traceFallback(
  deps: { trace: Tracer; metrics: LoopMetrics },
  turnId: number,
  kind: 'stt' | 'llm' | 'tts',
  notice: FallbackNotice,
): void {
  deps.trace.emit('fallback', turnId, { kind, from: notice.from, to: notice.to, reason: notice.reason });
  deps.metrics.increment('fallbacks_total', { kind, from: notice.from, to: notice.to });
}

function asVrmError(error: unknown): VrmError {
  if (error instanceof VrmError) return error;
  return new VrmError('llm_failed', error instanceof Error ? error.message : String(error), { cause: error });
}
