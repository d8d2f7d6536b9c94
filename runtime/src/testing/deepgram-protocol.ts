import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { EnergyVadOptions, RecognizerEvent, RecognizerSettings } from './deepgram-recognizer.js';

/**
 * Deepgram live-transcription wire shapes (`wss://api.deepgram.com/v1/listen`), as documented
 * and as captured from the service: query options in, JSON text messages both ways.
 */

const bool = z.enum(['true', 'false']);
const uint = z.string().regex(/^\d+$/, 'expected a whole number');

/** The `/v1/listen` query options the fake understands; others are accepted and ignored, as Deepgram does. */
export const ListenQuerySchema = z
  .object({
    model: z.string().min(1).optional(),
    encoding: z.enum(['linear16', 'mulaw', 'alaw'], {
      error: 'the test server counts audio by bytes: use encoding=linear16, mulaw or alaw',
    }),
    sample_rate: uint,
    channels: uint.optional(),
    language: z.string().optional(),
    interim_results: bool.optional(),
    endpointing: z.union([uint, bool]).optional(),
    utterance_end_ms: uint.optional(),
    vad_events: bool.optional(),
    smart_format: bool.optional(),
    punctuate: bool.optional(),
    diarize: bool.optional(),
    multichannel: bool.optional(),
    numerals: bool.optional(),
    profanity_filter: bool.optional(),
    dictation: bool.optional(),
    mip_opt_out: bool.optional(),
  })
  .loose();
export type ListenQuery = z.infer<typeof ListenQuerySchema>;

/** Client text messages. Audio travels as binary frames. */
export const ListenControlSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('KeepAlive') }).strict(),
  z.object({ type: z.literal('Finalize'), channel: z.number().int().min(0).optional() }).strict(),
  z.object({ type: z.literal('CloseStream') }).strict(),
]);
export type ListenControl = z.infer<typeof ListenControlSchema>;

/** Reads the repeated `keyterm` and single-valued options out of a URL query. */
export function queryRecord(params: URLSearchParams): Record<string, string | string[]> {
  const record: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key);
    record[key] = values.length === 1 ? values[0]! : values;
  }
  return record;
}

/** Turns a validated query into recognizer settings. */
export function settingsFromQuery(
  query: ListenQuery,
  extra: { interimIntervalMs: number; silentInterimIntervalMs: number; vad: EnergyVadOptions | false },
): RecognizerSettings {
  const endpointing = query.endpointing;
  return {
    encoding: query.encoding,
    sampleRate: Number(query.sample_rate),
    channels: query.channels === undefined ? 1 : Number(query.channels),
    interimResults: query.interim_results === 'true',
    // Deepgram's default endpointing is 10 ms; `true` means the default too.
    endpointingMs:
      endpointing === 'false'
        ? false
        : endpointing === undefined || endpointing === 'true'
          ? 10
          : Number(endpointing),
    utteranceEndMs: query.utterance_end_ms === undefined ? undefined : Number(query.utterance_end_ms),
    vadEvents: query.vad_events === 'true',
    formatted: query.punctuate === 'true' || query.smart_format === 'true',
    interimIntervalMs: extra.interimIntervalMs,
    silentInterimIntervalMs: extra.silentInterimIntervalMs,
    vad:
      extra.vad === false
        ? false
        : { threshold: extra.vad.threshold ?? 1000, minSpeechMs: extra.vad.minSpeechMs ?? 30 },
  };
}

/** The model details Deepgram reports for a requested model name. */
export function modelInfo(model = 'nova-3'): { name: string; version: string; arch: string; uuid: string } {
  const arch = /^nova-(\d)/.exec(model)?.[0] ?? (model.startsWith('enhanced') ? 'enhanced' : 'base');
  const variant = model.split('-').slice(2).join('-') || 'general';
  return {
    name: `${variant}-${arch}`,
    version: '2025-04-17.21547',
    arch,
    // Stable per model so tests can compare across sessions.
    uuid: createHash('sha256')
      .update(model)
      .digest('hex')
      .slice(0, 32)
      .replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-'),
  };
}

/** Wraps a recognizer event in Deepgram's message envelope. */
export function toWireMessage(
  event: RecognizerEvent,
  session: { requestId: string; channels: number; model: ReturnType<typeof modelInfo> },
): Record<string, unknown> {
  if (event.type === 'SpeechStarted')
    return { type: 'SpeechStarted', channel: [0], timestamp: event.timestamp };
  if (event.type === 'UtteranceEnd') {
    return { type: 'UtteranceEnd', channel: [0, session.channels], last_word_end: event.lastWordEnd };
  }
  return {
    type: 'Results',
    channel_index: [0, session.channels],
    duration: event.duration,
    start: event.start,
    is_final: event.isFinal,
    speech_final: event.speechFinal,
    channel: {
      alternatives: [{ transcript: event.transcript, confidence: event.confidence, words: event.words }],
    },
    metadata: {
      request_id: session.requestId,
      model_info: { name: session.model.name, version: session.model.version, arch: session.model.arch },
      model_uuid: session.model.uuid,
    },
    from_finalize: event.fromFinalize,
  };
}

/** The closing `Metadata` message; a session that received no audio gets the short form. */
export function metadataMessage(session: {
  requestId: string;
  channels: number;
  durationSec: number;
  created: Date;
  model: ReturnType<typeof modelInfo>;
}): Record<string, unknown> {
  const base = {
    type: 'Metadata',
    transaction_key: 'deprecated',
    request_id: session.requestId,
    sha256: 'incomplete',
    created: session.created.toISOString(),
    duration: Math.round(session.durationSec * 1e6) / 1e6,
    channels: session.channels,
  };
  if (session.durationSec === 0) return base;
  const { name, version, arch, uuid } = session.model;
  return { ...base, models: [uuid], model_info: { [uuid]: { name, version, arch } } };
}

/** Close reason Deepgram gives when a stream goes quiet (NET-0001). */
export const INACTIVITY_CLOSE_REASON =
  'Deepgram did not receive audio data or a text message within the timeout window. See https://dpgr.am/net0001';
