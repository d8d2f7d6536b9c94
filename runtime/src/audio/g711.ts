/**
 * ITU-T G.711 companding (μ-law and A-law) between 8-bit codes and 16-bit linear PCM.
 *
 * The arithmetic is the reference one (Sun Microsystems' public-domain g711.c, which
 * `audioop`, SoX and most telephony stacks reproduce bit for bit). Encoding and decoding go
 * through lookup tables built once at module load, so the per-sample cost on the hot path is a
 * shift and an array read, and the buffer helpers write into caller-supplied arrays without
 * allocating.
 */

const MULAW_BIAS = 0x84;
const MULAW_CLIP = 8159; // magnitude limit on the 14-bit scale
const SEGMENT_ENDS_MULAW = [0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff, 0x1fff] as const;
const SEGMENT_ENDS_ALAW = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff] as const;

function segmentOf(value: number, ends: readonly number[]): number {
  for (let i = 0; i < ends.length; i++) if (value <= ends[i]!) return i;
  return ends.length;
}

/** Reference μ-law encoder for one 16-bit sample (used to build the table). */
function encodeMulawReference(sample: number): number {
  let pcm = sample >> 2; // μ-law works on 14-bit magnitudes
  let mask: number;
  if (pcm < 0) {
    pcm = -pcm;
    mask = 0x7f;
  } else {
    mask = 0xff;
  }
  if (pcm > MULAW_CLIP) pcm = MULAW_CLIP;
  pcm += MULAW_BIAS >> 2;
  const seg = segmentOf(pcm, SEGMENT_ENDS_MULAW);
  if (seg >= 8) return 0x7f ^ mask;
  return ((seg << 4) | ((pcm >> (seg + 1)) & 0xf)) ^ mask;
}

function decodeMulawReference(code: number): number {
  const u = ~code & 0xff;
  let t = ((u & 0x0f) << 3) + MULAW_BIAS;
  t <<= (u & 0x70) >> 4;
  return u & 0x80 ? MULAW_BIAS - t : t - MULAW_BIAS;
}

/** Reference A-law encoder for one 16-bit sample (used to build the table). */
function encodeAlawReference(sample: number): number {
  let pcm = sample >> 3; // A-law works on 13-bit magnitudes
  let mask: number;
  if (pcm >= 0) {
    mask = 0xd5;
  } else {
    mask = 0x55;
    pcm = -pcm - 1;
  }
  const seg = segmentOf(pcm, SEGMENT_ENDS_ALAW);
  if (seg >= 8) return 0x7f ^ mask;
  let aval = seg << 4;
  aval |= seg < 2 ? (pcm >> 1) & 0xf : (pcm >> seg) & 0xf;
  return aval ^ mask;
}

function decodeAlawReference(code: number): number {
  const a = code ^ 0x55;
  let t = (a & 0x0f) << 4;
  const seg = (a & 0x70) >> 4;
  if (seg === 0) t += 8;
  else if (seg === 1) t += 0x108;
  else t = (t + 0x108) << (seg - 1);
  return a & 0x80 ? t : -t;
}

// The encoders only look at the top 14 (μ-law) or 13 (A-law) bits, so a table indexed by the
// shifted sample covers every input exactly.
const MULAW_ENCODE = new Uint8Array(1 << 14);
const ALAW_ENCODE = new Uint8Array(1 << 13);
const MULAW_DECODE = new Int16Array(256);
const ALAW_DECODE = new Int16Array(256);

for (let i = 0; i < MULAW_ENCODE.length; i++) MULAW_ENCODE[i] = encodeMulawReference((i - 8192) << 2);
for (let i = 0; i < ALAW_ENCODE.length; i++) ALAW_ENCODE[i] = encodeAlawReference((i - 4096) << 3);
for (let i = 0; i < 256; i++) {
  MULAW_DECODE[i] = decodeMulawReference(i);
  ALAW_DECODE[i] = decodeAlawReference(i);
}

/** μ-law code of silence (a linear 0). */
export const MULAW_SILENCE = 0xff;
/** A-law code of silence (a linear 0). */
export const ALAW_SILENCE = 0xd5;

/** Encodes one 16-bit linear sample (-32768…32767) to a μ-law byte. */
export function mulawEncodeSample(sample: number): number {
  return MULAW_ENCODE[(sample >> 2) + 8192]!;
}

/** Decodes one μ-law byte to a 16-bit linear sample. */
export function mulawDecodeSample(code: number): number {
  return MULAW_DECODE[code & 0xff]!;
}

/** Encodes one 16-bit linear sample to an A-law byte. */
export function alawEncodeSample(sample: number): number {
  return ALAW_ENCODE[(sample >> 3) + 4096]!;
}

/** Decodes one A-law byte to a 16-bit linear sample. */
export function alawDecodeSample(code: number): number {
  return ALAW_DECODE[code & 0xff]!;
}

function ensureLength<T extends Uint8Array | Int16Array>(
  out: T | undefined,
  length: number,
  make: (n: number) => T,
): T {
  if (out === undefined) return make(length);
  if (out.length < length) throw new RangeError(`output holds ${out.length} samples, needs ${length}`);
  return out;
}

/**
 * Encodes PCM16 samples to μ-law. Writes into `out` when given (it must hold `pcm.length`
 * bytes) and returns the written view, so a caller can reuse one buffer per stream.
 */
export function encodeMulaw(pcm: Int16Array, out?: Uint8Array): Uint8Array {
  const dst = ensureLength(out, pcm.length, (n) => new Uint8Array(n));
  for (let i = 0; i < pcm.length; i++) dst[i] = MULAW_ENCODE[(pcm[i]! >> 2) + 8192]!;
  return dst.length === pcm.length ? dst : dst.subarray(0, pcm.length);
}

/** Decodes μ-law bytes to PCM16; writes into `out` when given (see {@link encodeMulaw}). */
export function decodeMulaw(codes: Uint8Array, out?: Int16Array): Int16Array {
  const dst = ensureLength(out, codes.length, (n) => new Int16Array(n));
  for (let i = 0; i < codes.length; i++) dst[i] = MULAW_DECODE[codes[i]!]!;
  return dst.length === codes.length ? dst : dst.subarray(0, codes.length);
}

/** Encodes PCM16 samples to A-law; writes into `out` when given. */
export function encodeAlaw(pcm: Int16Array, out?: Uint8Array): Uint8Array {
  const dst = ensureLength(out, pcm.length, (n) => new Uint8Array(n));
  for (let i = 0; i < pcm.length; i++) dst[i] = ALAW_ENCODE[(pcm[i]! >> 3) + 4096]!;
  return dst.length === pcm.length ? dst : dst.subarray(0, pcm.length);
}

/** Decodes A-law bytes to PCM16; writes into `out` when given. */
export function decodeAlaw(codes: Uint8Array, out?: Int16Array): Int16Array {
  const dst = ensureLength(out, codes.length, (n) => new Int16Array(n));
  for (let i = 0; i < codes.length; i++) dst[i] = ALAW_DECODE[codes[i]!]!;
  return dst.length === codes.length ? dst : dst.subarray(0, codes.length);
}
