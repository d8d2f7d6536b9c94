import { describe, expect, it } from 'vitest';
import { asTwilioMedia, matchTwilioMedia, TwilioMediaSchema } from './twilio-protocol.js';

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

describe('matchTwilioMedia', () => {
  const canonical = `{"event":"media","sequenceNumber":"3","media":{"track":"inbound","chunk":"1","timestamp":"5","payload":"${valid.media.payload}"},"streamSid":"${valid.streamSid}"}`;

  it("reads Twilio's own layout, agreeing with JSON.parse and the schema", () => {
    expect(matchTwilioMedia(canonical)).toEqual({ track: 'inbound', payload: valid.media.payload });
    expect(asTwilioMedia(JSON.parse(canonical))).toEqual(valid);
  });

  it('leaves every other text to the full parser', () => {
    const others = [
      JSON.stringify(valid, null, 1), // spaced
      JSON.stringify({ streamSid: valid.streamSid, event: 'media', media: valid.media, sequenceNumber: '3' }), // reordered
      canonical.replace('"3"', '3'), // a number where Twilio sends a string
      canonical.replace('"5"', '"5.0"'),
      canonical.replace(valid.media.payload, 'no\\/JhoaJ'), // an escaped slash
      canonical.replace('"inbound"', '"in\\"bound"'),
      canonical.replace('"},"streamSid"', '","extra":"1"},"streamSid"'),
      `${canonical} `,
      canonical.replace('"event":"media"', '"event":"mark"'),
    ];
    for (const text of others) {
      expect(text).not.toBe(canonical);
      expect(matchTwilioMedia(text), text).toBeUndefined();
    }
  });
});
