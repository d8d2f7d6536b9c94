import type { CallEvent } from '../api/types.js';

/** A stretch of work inside a turn, in milliseconds since the call started. */
export interface Span {
  kind: 'speech' | 'llm' | 'tool' | 'tts';
  label: string;
  start: number;
  end: number;
  /** Still running (a live call): drawn up to the newest event. */
  open: boolean;
  detail?: string;
  failed?: boolean;
}

/** Something that happened at one instant: an interruption, a fallback, an error. */
export interface Marker {
  kind:
    | 'interruption'
    | 'false-interruption'
    | 'fallback'
    | 'error'
    | 'confirmation'
    | 'dtmf'
    | 'reprompt'
    | 'ended';
  at: number;
  label: string;
}

export interface TurnTrace {
  turnId: number;
  start: number;
  end: number;
  spans: Span[];
  markers: Marker[];
  /** What the caller said to open the turn. */
  callerText?: string;
  /** End of the caller's speech to the agent's first audio (`turn.metrics` voiceToVoiceMs). */
  latencyMs?: number;
  /** The turn's figures from its `turn.metrics` event (text sessions have only some). */
  metrics?: TurnMetrics;
}

/** The per-turn figures of a `turn.metrics` event, in milliseconds. */
export interface TurnMetrics {
  endpointingMs?: number;
  sttMs?: number;
  llmTtftMs?: number;
  ttsTtfbMs?: number;
  voiceToVoiceMs?: number;
}

const METRIC_KEYS = ['endpointingMs', 'sttMs', 'llmTtftMs', 'ttsTtfbMs', 'voiceToVoiceMs'] as const;

export interface TranscriptEntry {
  role: 'caller' | 'agent' | 'tool' | 'system';
  text: string;
  turnId: number;
  at: number;
  seq: number;
  failed?: boolean;
}

export interface Trace {
  turns: TurnTrace[];
  transcript: TranscriptEntry[];
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

const MARKERS: Record<string, Marker['kind']> = {
  interruption: 'interruption',
  'interruption.false': 'false-interruption',
  fallback: 'fallback',
  error: 'error',
  'tool.confirmation': 'confirmation',
  dtmf: 'dtmf',
  'silence.reprompt': 'reprompt',
  'call.ended': 'ended',
};

function markerLabel(event: CallEvent): string {
  const d = event.data;
  switch (event.type) {
    case 'interruption':
      return `Caller interrupted${str(d.cause) ? ` (${d.cause})` : ''}`;
    case 'interruption.false':
      return 'False interruption: agent resumed';
    case 'fallback':
      return `Fallback ${str(d.kind) ?? ''}: ${str(d.from) ?? '?'} → ${str(d.to) ?? '?'}${str(d.reason) ? ` (${d.reason})` : ''}`;
    case 'error':
      return `Error in ${str(d.stage) ?? 'call'}: ${str(d.message) ?? str(d.code) ?? 'unknown'}`;
    case 'tool.confirmation':
      return `Confirmation for ${str(d.tool) ?? 'tool'}: ${String(d.answer ?? '')}`;
    case 'dtmf':
      return `Keypad ${String(d.digit ?? '')}`;
    case 'silence.reprompt':
      return `Silence: reprompt ${String(d.count ?? '')}`;
    default:
      return `Call ended: ${str(d.reason) ?? 'unknown'}`;
  }
}

/**
 * Turns a call's raw events into what a person reads: per-turn spans (caller speech, LLM rounds,
 * tool calls, TTS to first audio) with markers for interruptions, fallbacks and errors, and the
 * transcript as a conversation. Works on a prefix of the events, so a live call redraws as
 * events arrive.
 */
export function buildTrace(events: readonly CallEvent[]): Trace {
  const turns = new Map<number, TurnTrace>();
  const transcript: TranscriptEntry[] = [];
  const openLlm = new Map<number, Span>();
  const openTts = new Map<number, Span>();
  const openSpeech = new Map<number, Span>();
  const tools = new Map<string, Span>();
  const toolEntries = new Map<string, TranscriptEntry>();
  const latest = events.reduce((m, e) => Math.max(m, e.offsetMs), 0);

  const turnOf = (id: number, at: number) => {
    let turn = turns.get(id);
    if (!turn) {
      turn = { turnId: id, start: at, end: at, spans: [], markers: [] };
      turns.set(id, turn);
    }
    turn.start = Math.min(turn.start, at);
    turn.end = Math.max(turn.end, at);
    return turn;
  };
  const open = (turn: TurnTrace, map: Map<number, Span>, span: Omit<Span, 'end' | 'open'>) => {
    const created: Span = { ...span, end: latest, open: true };
    turn.spans.push(created);
    map.set(turn.turnId, created);
    return created;
  };
  const close = (map: Map<number, Span>, turnId: number, at: number) => {
    const span = map.get(turnId);
    if (!span) return undefined;
    span.end = Math.max(at, span.start);
    span.open = false;
    map.delete(turnId);
    return span;
  };
  const say = (entry: Omit<TranscriptEntry, 'seq'>, seq: number) => transcript.push({ ...entry, seq });

  for (const event of [...events].sort((a, b) => a.seq - b.seq)) {
    const at = event.offsetMs;
    const turn = turnOf(event.turnId ?? 0, at);
    const d = event.data ?? {};
    switch (event.type) {
      case 'greeting.started':
        if (str(d.text)) say({ role: 'agent', text: str(d.text)!, turnId: turn.turnId, at }, event.seq);
        break;
      case 'speech.started': {
        // Stamped with the turn in progress; the speech opens the next one (its `turn.ended`).
        const next = turnOf(turn.turnId + 1, at);
        if (!openSpeech.has(next.turnId))
          open(next, openSpeech, { kind: 'speech', label: 'Caller speech', start: at });
        break;
      }
      case 'speech.ignored': {
        const span = close(openSpeech, turn.turnId + 1, at);
        if (span) span.label = 'Caller speech, ignored (barge-in off)';
        break;
      }
      case 'turn.ended': {
        const span = close(openSpeech, turn.turnId, at);
        if (span) span.label = 'Caller speech + endpointing';
        const text = str(d.text);
        if (text) {
          turn.callerText = text;
          say(
            { role: 'caller', text: d.source === 'dtmf' ? `Keypad: ${text}` : text, turnId: turn.turnId, at },
            event.seq,
          );
        }
        break;
      }
      case 'llm.request': {
        const round = num(d.round);
        open(turn, openLlm, {
          kind: 'llm',
          label:
            `LLM ${str(d.model) ?? ''}${round !== undefined && round > 0 ? ` · round ${round + 1}` : ''}`.trim(),
          start: at,
        });
        break;
      }
      case 'llm.first_token': {
        const span = openLlm.get(turn.turnId);
        if (span && num(d.ms) !== undefined) span.detail = `first token ${d.ms} ms`;
        break;
      }
      case 'llm.completed': {
        const span = close(openLlm, turn.turnId, at);
        const toolCalls = Array.isArray(d.toolCalls) ? d.toolCalls.filter((t) => typeof t === 'string') : [];
        if (span)
          span.detail = [
            span.detail,
            str(d.finishReason) && `finish: ${d.finishReason}`,
            toolCalls.length > 0 && `calls ${toolCalls.join(', ')}`,
          ]
            .filter(Boolean)
            .join(' · ');
        // The reply's words (a round of tool calls only has none).
        const text = str(d.text)?.trim();
        if (text) say({ role: 'agent', text, turnId: turn.turnId, at }, event.seq);
        break;
      }
      case 'tool.called': {
        const name = str(d.tool) ?? 'tool';
        const span: Span = {
          kind: 'tool',
          label: name,
          start: at,
          end: latest,
          open: true,
          detail: JSON.stringify(d.arguments ?? {}),
        };
        turn.spans.push(span);
        const key = str(d.callId) ?? `${turn.turnId}:${name}`;
        tools.set(key, span);
        const entry: TranscriptEntry = {
          role: 'tool',
          text: `${name}(${JSON.stringify(d.arguments ?? {})})`,
          turnId: turn.turnId,
          at,
          seq: event.seq,
        };
        transcript.push(entry);
        toolEntries.set(key, entry);
        break;
      }
      case 'tool.result': {
        const key = str(d.callId) ?? '';
        const span = tools.get(key);
        if (span) {
          span.end = Math.max(at, span.start);
          span.open = false;
          span.failed = d.ok === false;
        }
        const entry = toolEntries.get(key);
        if (entry) {
          entry.failed = d.ok === false;
          entry.text += d.ok === false ? ' → failed' : ' → ok';
        }
        break;
      }
      case 'tts.started':
        open(turn, openTts, {
          kind: 'tts',
          label: `TTS${str(d.provider) ? ` ${d.provider}` : ''}${d.cached ? ' (cached)' : ''}`,
          start: at,
        });
        break;
      case 'tts.first_audio': {
        const span = close(openTts, turn.turnId, at);
        if (span) span.detail = `first audio ${num(d.ms) ?? at - span.start} ms`;
        break;
      }
      case 'turn.metrics': {
        const metrics: TurnMetrics = {};
        for (const key of METRIC_KEYS) if (num(d[key]) !== undefined) metrics[key] = num(d[key]);
        turn.metrics = metrics;
        turn.latencyMs = metrics.voiceToVoiceMs;
        break;
      }
      default: {
        const kind = MARKERS[event.type];
        if (kind) {
          turn.markers.push({ kind, at, label: markerLabel(event) });
          if (event.type === 'call.ended')
            say({ role: 'system', text: markerLabel(event), turnId: turn.turnId, at }, event.seq);
          if (event.type === 'interruption')
            say({ role: 'system', text: markerLabel(event), turnId: turn.turnId, at }, event.seq);
        }
      }
    }
  }
  return { turns: [...turns.values()].sort((a, b) => a.turnId - b.turnId), transcript };
}

/** The events of a call with any newly arrived ones merged in, in order, without duplicates. */
export function mergeEvents(current: readonly CallEvent[], incoming: readonly CallEvent[]): CallEvent[] {
  if (incoming.length === 0) return current as CallEvent[];
  const bySeq = new Map(current.map((e) => [e.seq, e]));
  for (const e of incoming) bySeq.set(e.seq, e);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

/** The call record's `counts`, computed from events (for a call still running). */
export function countEvents(events: readonly CallEvent[]): {
  events: number;
  interruptions: number;
  toolCalls: number;
  errors: number;
  fallbacks: number;
} {
  const counts = { events: events.length, interruptions: 0, toolCalls: 0, errors: 0, fallbacks: 0 };
  for (const e of events) {
    if (e.type === 'interruption') counts.interruptions++;
    else if (e.type === 'tool.called') counts.toolCalls++;
    else if (e.type === 'error') counts.errors++;
    else if (e.type === 'fallback') counts.fallbacks++;
  }
  return counts;
}
