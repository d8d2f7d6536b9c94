import { encodeMulaw } from '../audio/g711.js';
import type { AudioFormat } from '../providers/types.js';

/**
 * In-band DTMF: the dual tones a phone keypad plays (ITU-T Q.23 frequencies), as agent audio in
 * the carrier's format. They travel the voice path like speech, so they play in order after what
 * the agent said, are tracked by marks and are cleared on barge-in. Over a G.711 call leg (what
 * Twilio Media Streams carry) a far-end IVR detects them as it would a handset's keys.
 */
const ROWS: Record<string, number> = {
  '1': 697,
  '2': 697,
  '3': 697,
  A: 697,
  '4': 770,
  '5': 770,
  '6': 770,
  B: 770,
  '7': 852,
  '8': 852,
  '9': 852,
  C: 852,
  '*': 941,
  '0': 941,
  '#': 941,
  D: 941,
};
const COLUMNS: Record<string, number> = {
  '1': 1209,
  '4': 1209,
  '7': 1209,
  '*': 1209,
  '2': 1336,
  '5': 1336,
  '8': 1336,
  '0': 1336,
  '3': 1477,
  '6': 1477,
  '9': 1477,
  '#': 1477,
  A: 1633,
  B: 1633,
  C: 1633,
  D: 1633,
};

/** Keys the `send_dtmf` tool accepts: digits, `*`, `#`, and `w` for a half-second pause. */
export const DTMF_DIGITS = /^[0-9*#wW]{1,32}$/;

/** Tone and gap lengths: well above the 40 ms detectors need, like an autodialler. */
const TONE_MS = 100;
const GAP_MS = 100;
const PAUSE_MS = 500;
/** Each of the two tones at about −9 dBFS, so their sum stays clear of clipping. */
const AMPLITUDE = 0.35 * 32767;

/** The tones of `digits` (validated by {@link DTMF_DIGITS}) in `format`. */
export function dtmfTones(digits: string, format: AudioFormat): Uint8Array {
  const rate = format.sampleRate;
  const perMs = rate / 1000;
  let total = 0;
  for (const key of digits) total += key === 'w' || key === 'W' ? PAUSE_MS : TONE_MS + GAP_MS;
  const pcm = new Int16Array(Math.round(total * perMs));
  let at = 0;
  for (const key of digits) {
    if (key === 'w' || key === 'W') {
      at += Math.round(PAUSE_MS * perMs);
      continue;
    }
    const low = ROWS[key];
    const high = COLUMNS[key];
    if (low === undefined || high === undefined) throw new Error(`not a DTMF key: ${key}`);
    const samples = Math.round(TONE_MS * perMs);
    for (let i = 0; i < samples; i++) {
      const t = i / rate;
      pcm[at + i] = Math.round(
        AMPLITUDE * (Math.sin(2 * Math.PI * low * t) + Math.sin(2 * Math.PI * high * t)),
      );
    }
    at += samples + Math.round(GAP_MS * perMs);
  }
  if (format.encoding === 'mulaw') return encodeMulaw(pcm);
  return new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength);
}
