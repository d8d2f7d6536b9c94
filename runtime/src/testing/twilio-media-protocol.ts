import { createHmac, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { TELEPHONY_FRAME_MS } from '../audio/frames.js';

/**
 * Twilio Media Streams (bidirectional `<Connect><Stream>`) message schemas, from Twilio's
 * "Media Streams – WebSocket Messages" reference. Twilio sends every number as a string.
 */

const numeric = z.string().regex(/^\d+$/, 'Twilio sends numbers as strings of digits');
const base64 = z
  .string()
  .min(1)
  .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'payload must be base64');

/** Messages Twilio sends to the application (what the telephony endpoint must parse). */
export const TwilioInboundMessageSchema = z.discriminatedUnion('event', [
  z.object({ event: z.literal('connected'), protocol: z.literal('Call'), version: z.string() }).strict(),
  z
    .object({
      event: z.literal('start'),
      sequenceNumber: numeric,
      streamSid: z.string(),
      start: z
        .object({
          accountSid: z.string(),
          streamSid: z.string(),
          callSid: z.string(),
          tracks: z.array(z.enum(['inbound', 'outbound'])),
          customParameters: z.record(z.string(), z.string()),
          mediaFormat: z.object({
            encoding: z.literal('audio/x-mulaw'),
            sampleRate: z.literal(8000),
            channels: z.literal(1),
          }),
        })
        .strict(),
    })
    .strict(),
  z
    .object({
      event: z.literal('media'),
      sequenceNumber: numeric,
      streamSid: z.string(),
      media: z
        .object({
          track: z.enum(['inbound', 'outbound']),
          chunk: numeric,
          timestamp: numeric,
          payload: base64,
        })
        .strict(),
    })
    .strict(),
  z
    .object({
      event: z.literal('dtmf'),
      sequenceNumber: numeric,
      streamSid: z.string(),
      dtmf: z.object({ track: z.literal('inbound_track'), digit: z.string().regex(/^[0-9*#A-D]$/) }).strict(),
    })
    .strict(),
  z
    .object({
      event: z.literal('mark'),
      sequenceNumber: numeric,
      streamSid: z.string(),
      mark: z.object({ name: z.string() }).strict(),
    })
    .strict(),
  z
    .object({
      event: z.literal('stop'),
      sequenceNumber: numeric,
      streamSid: z.string(),
      stop: z.object({ accountSid: z.string(), callSid: z.string() }).strict(),
    })
    .strict(),
]);
export type TwilioInboundMessage = z.infer<typeof TwilioInboundMessageSchema>;

/** Messages the application may send to Twilio on a bidirectional stream. Anything else is an error. */
export const TwilioOutboundMessageSchema = z.discriminatedUnion('event', [
  z
    .object({
      event: z.literal('media'),
      streamSid: z.string(),
      media: z.object({ payload: base64 }).strict(),
    })
    .strict(),
  z
    .object({
      event: z.literal('mark'),
      streamSid: z.string(),
      mark: z.object({ name: z.string().min(1) }).strict(),
    })
    .strict(),
  z.object({ event: z.literal('clear'), streamSid: z.string() }).strict(),
]);
export type TwilioOutboundMessage = z.infer<typeof TwilioOutboundMessageSchema>;

/**
 * The `X-Twilio-Signature` Twilio puts on webhooks: base64 HMAC-SHA1, keyed by the auth token,
 * of the full URL followed by each POST parameter's name and value, sorted by name. For the
 * Media Streams WebSocket upgrade it is computed over the `wss://` URL with no parameters.
 */
export function twilioSignature(
  authToken: string,
  url: string,
  params: Record<string, string | string[]> = {},
): string {
  let data = url;
  for (const key of Object.keys(params).sort()) {
    const value = params[key]!;
    for (const v of Array.isArray(value) ? [...value].sort() : [value]) data += key + v;
  }
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}

/**
 * One inbound `media` message exactly as Twilio writes it: this key order, no spaces, numbers as
 * strings, `timestamp` the milliseconds of audio before this chunk. Built as a template rather than
 * with `JSON.stringify` because the callers send 50 a second each; every field is digits, base64
 * or a SID, so nothing needs escaping.
 */
export function twilioMediaMessage(m: {
  sequenceNumber: number;
  chunk: number;
  payload: string;
  streamSid: string;
}): string {
  return `{"event":"media","sequenceNumber":"${m.sequenceNumber}","media":{"track":"inbound","chunk":"${m.chunk}","timestamp":"${(m.chunk - 1) * TELEPHONY_FRAME_MS}","payload":"${m.payload}"},"streamSid":"${m.streamSid}"}`;
}

/** A Twilio-style SID: two-letter prefix and 32 hex digits. */
export function twilioSid(prefix: 'AC' | 'CA' | 'MZ'): string {
  return `${prefix}${randomBytes(16).toString('hex')}`;
}
