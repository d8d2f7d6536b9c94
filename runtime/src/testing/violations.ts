import type { z } from 'zod';

/** A message a client sent that the real provider would have rejected or ignored. */
export interface ProtocolViolation {
  /** Which server or client saw it: `deepgram`, `cartesia`, `openai`, `twilio`. */
  readonly source: string;
  /** What was wrong, in a sentence a failing test can show. */
  readonly message: string;
  /** The offending input, as received (truncated to 500 characters). */
  readonly input: string;
  readonly at: Date;
}

/**
 * Collects protocol violations for one fake. Tests assert `violations` is empty at the end, so a
 * malformed message fails the test even when the code under test shrugged it off.
 */
export class ViolationLog {
  readonly violations: ProtocolViolation[] = [];

  constructor(private readonly source: string) {}

  record(message: string, input: unknown): void {
    const text = typeof input === 'string' ? input : safeStringify(input);
    this.violations.push({ source: this.source, message, input: text.slice(0, 500), at: new Date() });
  }

  /** Parses `value` with `schema`; records a violation and returns undefined when it does not fit. */
  check<T>(schema: z.ZodType<T>, value: unknown, what: string, raw: unknown = value): T | undefined {
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    const issues = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    this.record(`${what}: ${issues}`, raw);
    return undefined;
  }
}

function safeStringify(value: unknown): string {
  if (value instanceof Uint8Array) return `<${value.byteLength} bytes>`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Parses JSON text without throwing. */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/** Resolves after `ms` (0 → next macrotask), for fixed-latency fault injection. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
