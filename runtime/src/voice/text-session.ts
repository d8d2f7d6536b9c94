import { createLogger, type Logger } from '../kernel/logger.js';
import type { ChatMessage, LanguageModel } from '../providers/types.js';
import { parseVoiceAgentConfig, type VoiceAgentConfig, type VoiceAgentConfigInput } from './config.js';
import { Conversation } from './conversation.js';
import { GenerationControl, TurnCounter } from './generations.js';
import { keypadText } from './llm-stage.js';
import { type LoopMetrics, noopMetrics } from './metrics.js';
import { Responder } from './responder.js';
import { noTools, type ToolExecutor } from './tools.js';
import { noopTraceSink, Tracer, type TraceSink } from './trace.js';

export type TextSessionEvent =
  /** Reply text as it streams (model tokens, and whole fixed phrases such as a read-back). */
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'tool-call'; readonly name: string; readonly arguments: string }
  | { readonly type: 'tool-result'; readonly name: string; readonly ok: boolean; readonly content: string }
  /** The agent ended or transferred the conversation; further messages are refused. */
  | { readonly type: 'end'; readonly reason: 'agent-hangup' | 'transfer'; readonly transferTo?: string };

export interface TextSessionOptions {
  readonly config: VoiceAgentConfigInput;
  readonly llm: LanguageModel;
  readonly tools?: ToolExecutor;
  readonly trace?: TraceSink;
  readonly signal?: AbortSignal;
  readonly log?: Logger;
  readonly metrics?: LoopMetrics;
}

export interface TextSession {
  readonly config: VoiceAgentConfig;
  /** The greeting, already part of the conversation (undefined when the agent has none). */
  readonly greeting: string | undefined;
  /** Sends a caller message and streams the reply. One message at a time. */
  send(text: string, options?: { signal?: AbortSignal; keypad?: boolean }): AsyncGenerator<TextSessionEvent>;
  readonly messages: readonly ChatMessage[];
  /** Set once the agent ended the conversation. */
  readonly ended: { reason: 'agent-hangup' | 'transfer'; transferTo?: string } | undefined;
}

/**
 * The voice loop's conversation logic without audio: the same responder (model, tools, filler,
 * destructive-tool confirmation, end-call and transfer) over text. Used by `vrm chat` and the API.
 */
export function createTextSession(options: TextSessionOptions): TextSession {
  const config = parseVoiceAgentConfig(options.config);
  const callSignal = options.signal ?? new AbortController().signal;
  const trace = new Tracer(options.trace ?? noopTraceSink);
  const conversation = new Conversation(config.instructions);
  const generations = new GenerationControl(callSignal);
  const turns = new TurnCounter();
  const responder = new Responder({
    config,
    llm: options.llm,
    tools: options.tools ?? noTools,
    conversation,
    trace,
    metrics: options.metrics ?? noopMetrics,
    log: (options.log ?? createLogger('warn')).child({ agent: config.agentId, mode: 'text' }),
  });
  let ended: TextSession['ended'];
  let busy = false;

  if (config.greeting) {
    const g = generations.start(0);
    trace.emit('greeting.started', 0, { text: config.greeting });
    Array.from(responder.say(config.greeting, g));
    conversation.settle(g.generationId);
  }

  async function* send(
    text: string,
    sendOptions: { signal?: AbortSignal; keypad?: boolean } = {},
  ): AsyncGenerator<TextSessionEvent> {
    if (ended) throw new Error('The conversation has ended.');
    if (busy) throw new Error('Wait for the reply before sending another message.');
    busy = true;
    const g = generations.start(turns.next());
    const signal = sendOptions.signal ? AbortSignal.any([g.signal, sendOptions.signal]) : g.signal;
    const generation = { ...g, signal };
    trace.emit('turn.ended', g.turnId, { text, source: sendOptions.keypad ? 'dtmf' : 'text' });
    try {
      for await (const e of responder.reply(sendOptions.keypad ? keypadText(text) : text, generation)) {
        if (e.type === 'delta') yield { type: 'text', text: e.text };
        else if (e.type === 'speech' && e.source !== 'llm') yield { type: 'text', text: separated(e.text) };
        else if (e.type === 'tool-call')
          yield { type: 'tool-call', name: e.call.name, arguments: e.call.arguments };
        else if (e.type === 'tool-result') {
          yield { type: 'tool-result', name: e.call.name, ok: e.outcome.ok, content: e.outcome.content };
        } else if (e.type === 'end') {
          ended = { reason: e.reason, transferTo: e.transferTo };
          yield { type: 'end', reason: e.reason, transferTo: e.transferTo };
        }
      }
    } finally {
      generations.finish(g.generationId);
      // Text is seen as it streams: nothing to cut back, even when the reader stopped early.
      conversation.settle(g.generationId);
      busy = false;
    }
  }

  return {
    config,
    greeting: config.greeting,
    send,
    get messages() {
      return conversation.messages;
    },
    get ended() {
      return ended;
    },
  };
}

/** Fixed phrases arrive whole; keep them apart from text streamed before or after. */
function separated(text: string): string {
  return `${text.trim()} `;
}
