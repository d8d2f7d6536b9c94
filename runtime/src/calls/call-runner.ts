import { VrmError } from '../errors.js';
import type { Services } from '../kernel/container.js';
import {
  createTextSession,
  createVoiceSession,
  MemoryGreetingCache,
  type TextSession,
  type TextSessionEvent,
  voiceConfigFromManifest,
} from '../voice/index.js';
import type { TraceSink } from '../voice/trace.js';
import { agentProviders, agentTools, loadAgentVersion } from './agent-context.js';
import type { CallLauncher, LaunchCallRequest, LaunchedCall } from './launcher.js';

/** Text sessions idle this long are closed, so forgotten test chats do not hold memory. */
const TEXT_SESSION_IDLE_MS = 15 * 60_000;

interface TextCall {
  organizationId: string;
  session: TextSession;
  controller: AbortController;
  busy: boolean;
  idleTimer: NodeJS.Timeout;
}

export interface TextReply {
  text: string;
  toolCalls: Array<{ name: string; arguments: string; ok?: boolean; result?: string }>;
  ended: { reason: string; transferTo?: string } | null;
}

/**
 * Runs calls: voice calls on a carrier leg (Twilio, the browser) and text sessions, each through
 * the agent's live version with its providers, its MCP tools and a trace written in batches.
 */
export class CallRunner implements CallLauncher {
  readonly #services: Services;
  readonly #greetings = new MemoryGreetingCache();
  readonly #text = new Map<string, TextCall>();
  readonly #active = new Set<AbortController>();

  constructor(services: Services) {
    this.#services = services;
  }

  #traceSink(callId: string): TraceSink {
    const traces = this.#services.traces;
    return {
      emit: (e) =>
        traces.recordEvent(callId, {
          type: e.type,
          turnId: e.turnId,
          at: e.at,
          data: e.data as Record<string, unknown>,
        }),
    };
  }

  async launch(request: LaunchCallRequest): Promise<LaunchedCall> {
    const services = this.#services;
    const agent = await loadAgentVersion(services, request.organizationId, request.agentId);
    const [providers, { tools, missing }] = await Promise.all([
      agentProviders(services, request.organizationId, agent.manifest),
      agentTools(services, request.organizationId, agent.manifest),
    ]);
    const callId = services.traces.startCall({
      organizationId: request.organizationId,
      agentId: agent.agentId,
      agentVersion: agent.version,
      channel: request.channel,
      fromNumber: request.fromNumber ?? null,
      toNumber: request.toNumber ?? null,
      providerCallId: request.providerCallId ?? null,
      variables: request.variables ?? {},
    });
    const log = services.log.child({ callId, agent: agent.name });
    if (missing.length > 0)
      log.warn({ missing }, 'MCP servers named by the manifest are not registered; their tools are left out');
    const controller = new AbortController();
    this.#active.add(controller);
    const session = createVoiceSession({
      config: voiceConfigFromManifest(agent.manifest, {
        agentId: agent.agentId,
        agentVersion: agent.version,
        call: {
          callId,
          callerNumber: request.fromNumber ?? undefined,
          calledNumber: request.toNumber ?? undefined,
          overrides: request.variables ?? {},
        },
      }),
      providers,
      telephony: request.telephony,
      tools,
      trace: this.#traceSink(callId),
      signal: controller.signal,
      log,
      metrics: services.metrics.loop,
      greetingCache: this.#greetings,
    });
    services.metrics.activeCalls.inc();
    // The record exists once this returns (the greeting is already under way meanwhile).
    await services.traces.flush();
    const done = session.done.then(async (summary) => {
      services.metrics.activeCalls.dec();
      this.#active.delete(controller);
      await services.traces.endCall(callId, summary.reason, summary.error ? 'failed' : 'completed');
      await providers.tts.close?.();
    });
    return { callId, done };
  }

  /** Starts a text conversation with an agent (the studio's chat, `vrm chat` over the API). */
  async startText(
    organizationId: string,
    agentRef: string,
    options: { variables?: Record<string, string>; version?: number } = {},
  ) {
    const services = this.#services;
    const agent = await loadAgentVersion(services, organizationId, agentRef, options.version);
    const [providers, { tools, missing }] = await Promise.all([
      agentProviders(services, organizationId, agent.manifest),
      agentTools(services, organizationId, agent.manifest),
    ]);
    const callId = services.traces.startCall({
      organizationId,
      agentId: agent.agentId,
      agentVersion: agent.version,
      channel: 'text',
      variables: options.variables ?? {},
    });
    const controller = new AbortController();
    const session = createTextSession({
      config: voiceConfigFromManifest(agent.manifest, {
        agentId: agent.agentId,
        agentVersion: agent.version,
        call: { callId, overrides: options.variables ?? {} },
      }),
      llm: providers.llm,
      tools,
      trace: this.#traceSink(callId),
      signal: controller.signal,
      log: services.log.child({ callId, agent: agent.name }),
      metrics: services.metrics.loop,
    });
    this.#text.set(callId, {
      organizationId,
      session,
      controller,
      busy: false,
      idleTimer: setTimeout(
        () => void this.endText(organizationId, callId, 'idle'),
        TEXT_SESSION_IDLE_MS,
      ).unref(),
    });
    // Written now, so the call and its greeting can be read as soon as this returns.
    await services.traces.flush();
    return {
      callId,
      agentId: agent.agentId,
      agentVersion: agent.version,
      greeting: session.greeting ?? null,
      missingTools: missing,
    };
  }

  /** Sends one caller message and returns the whole reply (the live view streams the steps). */
  async sendText(
    organizationId: string,
    callId: string,
    text: string,
    options: { keypad?: boolean; signal?: AbortSignal } = {},
  ): Promise<TextReply> {
    const call = this.#text.get(callId);
    if (!call || call.organizationId !== organizationId) {
      throw new VrmError('not_found', 'No open text session with this id in this process', { status: 404 });
    }
    if (call.busy)
      throw new VrmError('conflict', 'The agent is still answering the previous message', { status: 409 });
    if (call.session.ended) throw new VrmError('conflict', 'This conversation has ended', { status: 409 });
    call.busy = true;
    call.idleTimer.refresh();
    const reply: TextReply = { text: '', toolCalls: [], ended: null };
    try {
      const signal = options.signal
        ? AbortSignal.any([options.signal, call.controller.signal])
        : call.controller.signal;
      for await (const event of call.session.send(text, { signal, keypad: options.keypad ?? false }))
        collect(reply, event);
    } finally {
      call.busy = false;
    }
    if (reply.ended) await this.endText(organizationId, callId, reply.ended.reason);
    return reply;
  }

  async endText(organizationId: string, callId: string, reason = 'ended'): Promise<void> {
    const call = this.#text.get(callId);
    if (!call || call.organizationId !== organizationId) return;
    this.#text.delete(callId);
    clearTimeout(call.idleTimer);
    call.controller.abort();
    this.#services.traces.recordEvent(callId, {
      type: 'call.ended',
      turnId: null,
      at: Date.now(),
      data: { reason },
    });
    await this.#services.traces.endCall(callId, reason);
  }

  /** Ends every call this process runs (shutdown): voice calls hang up, text sessions close. */
  async shutdown(): Promise<void> {
    for (const controller of this.#active) controller.abort();
    await Promise.all(
      [...this.#text.entries()].map(([id, call]) => this.endText(call.organizationId, id, 'shutdown')),
    );
  }
}

function collect(reply: TextReply, event: TextSessionEvent) {
  switch (event.type) {
    case 'text':
      reply.text += event.text;
      return;
    case 'tool-call':
      reply.toolCalls.push({ name: event.name, arguments: event.arguments });
      return;
    case 'tool-result': {
      const call = [...reply.toolCalls].reverse().find((c) => c.name === event.name && c.ok === undefined);
      if (call) {
        call.ok = event.ok;
        call.result = event.content;
      }
      return;
    }
    case 'end':
      reply.ended = { reason: event.reason, ...(event.transferTo ? { transferTo: event.transferTo } : {}) };
      return;
  }
}
