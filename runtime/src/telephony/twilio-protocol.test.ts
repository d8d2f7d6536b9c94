import { describe, expect, it } from 'vitest';
import { asTwilioMedia, TwilioMediaSchema } from './twilio-protocol.js';

const valid = {
  event: 'media',
  sequenceNumber: '3',
  media: { track: 'inbound', chunk: '1', timestamp: '5', payload: 'no+JhoaJjpzSHxAKBgYJDhs=' },
  streamSid: 'MZ18ad3ab5a668481ce02b83e7395059f0',
};

/** Messages a broken or hostile client could send in place of a media frame. */
const invalid: unknown[] = [
  null,
  'media',
  [],
  { ...valid, event: 'mark' },
  { ...valid, sequenceNumber: 3 },
  { ...valid, sequenceNumber: '3a' },
  { ...valid, sequenceNumber: '' },
  { ...valid, streamSid: undefined },
  { ...valid, media: null },
  { ...valid, media: 'payload' },
  { ...valid, media: { ...valid.media, track: 1 } },
  { ...valid, media: { ...valid.media, chunk: '-1' } },
  { ...valid, media: { ...valid.media, timestamp: '5.0' } },
  { ...valid, media: { ...valid.media, payload: 42 } },
  { ...valid, media: { track: 'inbound', chunk: '1', timestamp: '5' } },
];

describe('asTwilioMedia', () => {
  it('accepts exactly the media messages the zod schema accepts', () => {
    expect(asTwilioMedia(valid)).toEqual(valid);
    expect(TwilioMediaSchema.safeParse(valid).success).toBe(true);
    const extra = { ...valid, extra: true, media: { ...valid.media, more: 1 } };
    expect(asTwilioMedia(extra) !== undefined).toBe(TwilioMediaSchema.safeParse(extra).success);
    for (const message of invalid) {
      expect(asTwilioMedia(message), JSON.stringify(message)).toBeUndefined();
      expect(TwilioMediaSchema.safeParse(message).success, JSON.stringify(message)).toBe(false);
    }
  });
});
