import { z } from 'zod';
import { encodeAlaw, encodeMulaw } from '../audio/g711.js';

/**
 * Cartesia TTS WebSocket wire shapes (`wss://api.cartesia.ai/tts/websocket`, API version
 * 2026-08-14), from the API reference and @cartesia/cartesia-js 4.x.
 */

export const OutputFormatSchema = z
  .object({
    container: z.literal('raw'),
    encoding: z.enum(['pcm_f32le', 'pcm_s16le', 'pcm_mulaw', 'pcm_alaw']),
    sample_rate: z.union([8000, 16000, 22050, 24000, 44100, 48000].map((r) => z.literal(r))),
  })
  .strict();
export type OutputFormat = z.infer<typeof OutputFormatSchema>;

/** A voice id string, `{ id }`, or the older `{ mode: 'id', id }`. */
export const VoiceSchema = z.union([
  z.string().min(1),
  z.object({ mode: z.literal('id').optional(), id: z.string().min(1) }).loose(),
]);

export const GenerationRequestSchema = z
  .object({
    context_id: z.string().min(1),
    model_id: z.string().min(1),
    transcript: z.string(),
    voice: VoiceSchema,
    output_format: OutputFormatSchema,
    continue: z.boolean().nullish(),
    flush: z.boolean().nullish(),
    add_timestamps: z.boolean().nullish(),
    add_phoneme_timestamps: z.boolean().nullish(),
    use_normalized_timestamps: z.boolean().nullish(),
    language: z.string().nullish(),
    locale: z.string().nullish(),
    max_buffer_delay_ms: z.number().int().min(0).max(5000).nullish(),
    generation_config: z
      .object({ speed: z.number().optional(), volume: z.number().optional(), emotion: z.string().optional() })
      .loose()
      .optional(),
    pronunciation_dict_id: z.string().nullish(),
    normalization: z.string().nullish(),
    speed: z.enum(['slow', 'normal', 'fast']).optional(),
  })
  .strict()
  .refine((r) => !(r.language && r.locale), { message: 'set language or locale, never both' });
export type GenerationRequest = z.infer<typeof GenerationRequestSchema>;

export const CancelRequestSchema = z
  .object({ context_id: z.string().min(1), cancel: z.literal(true) })
  .strict();

/** Fields that must stay the same across the inputs of one context (all but transcript/continue/flush). */
export function contextSettings(request: GenerationRequest): string {
  const { transcript: _t, continue: _c, flush: _f, context_id: _id, ...rest } = request;
  const voice = typeof rest.voice === 'string' ? rest.voice : rest.voice.id;
  return JSON.stringify({ ...rest, voice });
}

/** A Cartesia `error` message, in the current shape or the pre-2025 one (`error` string). */
export interface CartesiaErrorSpec {
  title?: string;
  message?: string;
  error_code?: string;
  status_code?: number;
  /** Send the older `{"type":"error","error":"…"}` shape instead. */
  legacy?: boolean;
}

export function errorMessage(spec: CartesiaErrorSpec, contextId: string | undefined, requestId: string) {
  const status = spec.status_code ?? 500;
  const message = spec.message ?? 'Internal server error.';
  if (spec.legacy)
    return { type: 'error', error: message, status_code: status, done: true, context_id: contextId };
  return {
    type: 'error',
    done: true,
    title: spec.title ?? 'Error',
    message,
    error_code: spec.error_code ?? 'internal_error',
    status_code: status,
    context_id: contextId,
    request_id: requestId,
    doc_url: 'https://docs.cartesia.ai/api-reference/tts/websocket',
  };
}

const TONE_HZ = 440;
const TONE_AMPLITUDE = 8000;

/**
 * Deterministic "speech": a 440 Hz tone of `samples` samples starting at sample `offset` of the
 * context (phase-continuous across inputs), encoded as `format` asks.
 */
export function synthesizeTone(format: OutputFormat, offset: number, samples: number): Buffer {
  const pcm = new Int16Array(samples);
  const w = (2 * Math.PI * TONE_HZ) / format.sample_rate;
  for (let i = 0; i < samples; i++) pcm[i] = Math.round(TONE_AMPLITUDE * Math.sin(w * (offset + i)));
  switch (format.encoding) {
    case 'pcm_s16le':
      return Buffer.from(pcm.buffer);
    case 'pcm_mulaw':
      return Buffer.from(encodeMulaw(pcm));
    case 'pcm_alaw':
      return Buffer.from(encodeAlaw(pcm));
    case 'pcm_f32le': {
      const f = new Float32Array(samples);
      for (let i = 0; i < samples; i++) f[i] = pcm[i]! / 32768;
      return Buffer.from(f.buffer);
    }
  }
}

/** Bytes per sample of a raw Cartesia encoding. */
export function sampleBytes(encoding: OutputFormat['encoding']): number {
  return encoding === 'pcm_f32le' ? 4 : encoding === 'pcm_s16le' ? 2 : 1;
}
