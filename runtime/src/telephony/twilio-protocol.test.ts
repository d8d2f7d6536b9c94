import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { readTwilioMedia, TwilioMediaSchema } from './twilio-protocol.js';

const valid = {
  event: 'media',
  sequenceNumber: '3',
  media: { track: 'inbound', chunk: '1', timestamp: '5', payload: 'no+JhoaJjpzSHxAKBgYJDhs=' },
  streamSid: 'MZ18ad3ab5a668481ce02b83e7395059f0',
};

describe('readTwilioMedia', () => {
  const canonical = `{"event":"media","sequenceNumber":"3","media":{"track":"inbound","chunk":"1","timestamp":"5","payload":"${valid.media.payload}"},"streamSid":"${valid.streamSid}"}`;

  const read = (text: string) => readTwilioMedia(Buffer.from(text));

  it("reads Twilio's own layout, agreeing with JSON.parse and the schema", () => {
    expect(read(canonical)).toEqual({ inbound: true, audio: Buffer.from(valid.media.payload, 'base64') });
    expect(TwilioMediaSchema.parse(JSON.parse(canonical))).toEqual(valid);
  });

  it('decodes every payload as Buffer.from(payload, "base64") does, padded or not', () => {
    for (const length of [0, 1, 2, 3, 159, 160, 161, 320]) {
      const payload = randomBytes(length).toString('base64');
      const text = canonical.replace(valid.media.payload, payload);
      expect(read(text)?.audio, payload).toEqual(Buffer.from(payload, 'base64'));
    }
  });

  it('decodes an odd payload exactly as the JSON path would', () => {
    for (const payload of ['no+J=hoa', 'no-_', `${valid.media.payload}==`, 'ab c', 'é9+/']) {
      const text = canonical.replace(valid.media.payload, payload);
      const viaJson = Buffer.from(TwilioMediaSchema.parse(JSON.parse(text)).media.payload, 'base64');
      expect(read(text)?.audio, payload).toEqual(viaJson);
    }
  });

  it("tells the caller's track from the agent's", () => {
    expect(read(canonical.replace('"inbound"', '"outbound"'))?.inbound).toBe(false);
    expect(read(canonical.replace('"inbound"', '"inbound_track"'))?.inbound).toBe(false);
    expect(read(canonical.replace('"inbound"', '"inboun"'))?.inbound).toBe(false);
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
      canonical.replace('"sequenceNumber":"3"', '"sequenceNumber":""'), // no digits
      canonical.replace(valid.streamSid, 'MZ\\u0041'), // an escape in the stream SID
      canonical.slice(0, -1), // cut short
      canonical.slice(0, canonical.indexOf('"payload"')),
      '',
    ];
    for (const text of others) {
      expect(text).not.toBe(canonical);
      expect(read(text), text).toBeUndefined();
    }
  });
});
