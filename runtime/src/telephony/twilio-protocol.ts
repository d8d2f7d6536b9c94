import { z } from 'zod';

/**
 * Twilio Media Streams messages, Twilio → VRM (bidirectional `<Connect><Stream>`). Every numeric
 * field arrives as a string. Validated once per message at the socket edge.
 */
const Numeric = z.string().regex(/^\d+$/);

export const TwilioConnectedSchema = z.object({
  event: z.literal('connected'),
  protocol: z.string(),
  version: z.string(),
});

export const TwilioStartSchema = z.object({
  event: z.literal('start'),
  sequenceNumber: Numeric,
  streamSid: z.string().min(1),
  start: z.object({
    accountSid: z.string().min(1),
    streamSid: z.string().min(1),
    callSid: z.string().min(1),
    tracks: z.array(z.string()),
    customParameters: z.record(z.string(), z.string()).default({}),
    mediaFormat: z.object({
      encoding: z.literal('audio/x-mulaw'),
      sampleRate: z.literal(8000),
      channels: z.literal(1),
    }),
  }),
});

export const TwilioMediaSchema = z.object({
  event: z.literal('media'),
  sequenceNumber: Numeric,
  streamSid: z.string(),
  media: z.object({
    track: z.string(),
    chunk: Numeric,
    timestamp: Numeric,
    payload: z.string(),
  }),
});

export const TwilioDtmfSchema = z.object({
  event: z.literal('dtmf'),
  sequenceNumber: Numeric,
  streamSid: z.string(),
  dtmf: z.object({ track: z.string(), digit: z.string().regex(/^[0-9*#A-D]$/) }),
});

export const TwilioMarkSchema = z.object({
  event: z.literal('mark'),
  sequenceNumber: Numeric,
  streamSid: z.string(),
  mark: z.object({ name: z.string() }),
});

export const TwilioStopSchema = z.object({
  event: z.literal('stop'),
  sequenceNumber: Numeric,
  streamSid: z.string(),
  stop: z.object({ accountSid: z.string(), callSid: z.string() }),
});

export const TwilioInboundSchema = z.discriminatedUnion('event', [
  TwilioConnectedSchema,
  TwilioStartSchema,
  TwilioMediaSchema,
  TwilioDtmfSchema,
  TwilioMarkSchema,
  TwilioStopSchema,
]);

export type TwilioInbound = z.infer<typeof TwilioInboundSchema>;

export type TwilioStart = z.infer<typeof TwilioStartSchema>;

/** A media message read off its bytes: whether it is the caller's track, and its audio decoded. */
export interface TwilioMediaFrame {
  readonly inbound: boolean;
  readonly audio: Buffer;
}

const latin1 = (text: string) => Buffer.from(text, 'latin1');
const EVENT = latin1('{"event":"media","sequenceNumber":"');
const TRACK = latin1('","media":{"track":"');
const CHUNK = latin1('","chunk":"');
const TIMESTAMP = latin1('","timestamp":"');
const PAYLOAD = latin1('","payload":"');
const STREAM_SID = latin1('"},"streamSid":"');
const END = latin1('"}');
const INBOUND = latin1('inbound');
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * A media message in exactly Twilio's own layout (no spaces, this key order, no escapes), read
 * straight off the socket's bytes: without decoding them to a string, `JSON.parse` or a regular
 * expression. It is the message that arrives 50 times a second per call. Anything else — the same
 * message reordered, spaced or escaped included — is undefined and takes the JSON path; a match is
 * always a message `TwilioMediaSchema` accepts, and its audio is what the JSON path decodes from
 * it (`Buffer.from(payload, 'base64')`).
 *
 * The bytes are the UTF-8 of a text frame (`ws` has validated them): a byte that is not `"` or `\`
 * never starts or ends a JSON string there, so matching bytes is matching characters.
 */
export function readTwilioMedia(bytes: Buffer): TwilioMediaFrame | undefined {
  let at = literal(bytes, 0, EVENT);
  at = literal(bytes, digits(bytes, at), TRACK);
  const trackStart = at;
  at = plain(bytes, at);
  const inbound = at - trackStart === INBOUND.length && literal(bytes, trackStart, INBOUND) === at;
  at = literal(bytes, at, CHUNK);
  at = literal(bytes, digits(bytes, at), TIMESTAMP);
  at = literal(bytes, digits(bytes, at), PAYLOAD);
  if (at < 0) return undefined;
  // The payload is the longest field (216 bytes a frame): searched natively, not byte by byte.
  const payloadStart = at;
  const payloadEnd = bytes.indexOf(QUOTE, at);
  const backslash = bytes.indexOf(BACKSLASH, at);
  if (payloadEnd < 0 || (backslash >= 0 && backslash < payloadEnd)) return undefined;
  at = literal(bytes, payloadEnd, STREAM_SID);
  at = literal(bytes, plain(bytes, at), END);
  if (at !== bytes.length) return undefined;
  return { inbound, audio: Buffer.from(bytes.toString('latin1', payloadStart, payloadEnd), 'base64') };
}

/** `at` past `text` when the bytes at `at` are `text`; -1 otherwise (and for `at` -1). */
function literal(bytes: Uint8Array, at: number, text: Uint8Array): number {
  if (at < 0 || at + text.length > bytes.length) return -1;
  for (let i = 0; i < text.length; i++) if (bytes[at + i] !== text[i]) return -1;
  return at + text.length;
}

/** Past one or more ASCII digits (`\d+`). */
function digits(bytes: Uint8Array, at: number): number {
  if (at < 0) return -1;
  let i = at;
  while (i < bytes.length && bytes[i]! >= 0x30 && bytes[i]! <= 0x39) i++;
  return i > at ? i : -1;
}

/** Past a JSON string's content with nothing escaped (`[^"\\]*`), up to its closing quote. */
function plain(bytes: Uint8Array, at: number): number {
  if (at < 0) return -1;
  let i = at;
  while (i < bytes.length && bytes[i] !== QUOTE) if (bytes[i++] === BACKSLASH) return -1;
  return i;
}
