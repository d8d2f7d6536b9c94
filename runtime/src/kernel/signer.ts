import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * HMAC-SHA256 over short strings with a key derived from the master key: for values VRM hands
 * out and must recognise later (the stream parameters in TwiML, signed webhook payloads).
 */
export class Signer {
  readonly #key: Uint8Array;

  constructor(key: Uint8Array) {
    this.#key = key;
  }

  sign(data: string): string {
    return createHmac('sha256', this.#key).update(data).digest('base64url');
  }

  verify(data: string, signature: string): boolean {
    const expected = Buffer.from(this.sign(data));
    const actual = Buffer.from(signature);
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  }
}
