import { createHash } from 'node:crypto';
import type { AudioFormat } from '../providers/types.js';

/**
 * Synthesised greeting audio, so a caller hears the greeting the moment the call connects instead
 * of after a TTS round trip. Keyed by agent version, voice, format and text: a new version or
 * voice never plays stale audio.
 */
export interface GreetingCache {
  get(key: string): readonly Uint8Array[] | undefined;
  set(key: string, chunks: readonly Uint8Array[]): void;
}

export function greetingCacheKey(parts: {
  agentId: string;
  agentVersion: string;
  provider: string;
  voice: string;
  format: AudioFormat;
  text: string;
}): string {
  const { agentId, agentVersion, provider, voice, format, text } = parts;
  const digest = createHash('sha256').update(text).digest('hex').slice(0, 16);
  return `${agentId}@${agentVersion}/${provider}/${voice}/${format.encoding}-${format.sampleRate}/${digest}`;
}

/** An in-process LRU bounded by total bytes. */
export class MemoryGreetingCache implements GreetingCache {
  private readonly entries = new Map<string, { chunks: readonly Uint8Array[]; bytes: number }>();
  private bytes = 0;

  constructor(private readonly maxBytes = 16 * 1024 * 1024) {}

  get(key: string): readonly Uint8Array[] | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    // Re-insert to mark it most recently used.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.chunks;
  }

  set(key: string, chunks: readonly Uint8Array[]): void {
    const bytes = chunks.reduce((n, c) => n + c.byteLength, 0);
    if (bytes > this.maxBytes) return;
    const old = this.entries.get(key);
    if (old) {
      this.entries.delete(key);
      this.bytes -= old.bytes;
    }
    this.entries.set(key, { chunks, bytes });
    this.bytes += bytes;
    for (const [k, entry] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(k);
      this.bytes -= entry.bytes;
    }
  }
}
