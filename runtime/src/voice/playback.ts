import { countWords } from './sentences.js';

/** Speaking rate assumed while a reply's audio is still incomplete and has no word timings. */
const WORDS_PER_SECOND = 2.5;

interface GenerationPlayback {
  text: string;
  sentBytes: number;
  /** Monotonic ms when its first sample starts playing (after what was queued before it). */
  startedAt: number;
  /** Last mark echo: audio position (s) reached at monotonic `ackAt`. */
  ackSec: number;
  ackAt: number;
  done: boolean;
  wordEnds: number[];
}

/**
 * Tracks what the caller has heard of each reply. Carriers play queued audio in real time and
 * echo marks as playback passes them, so the position of a reply is its last echoed mark plus the
 * time since, capped at what was sent. From the position and the TTS word timings (or the
 * speaking rate when there are none) it tells how many words of a reply were heard.
 */
export class PlaybackTracker {
  private readonly generations = new Map<number, GenerationPlayback>();
  private queueEndAt = 0;

  constructor(private readonly bytesPerSecond: number) {}

  onText(generationId: number, text: string): void {
    this.get(generationId).text += text;
  }

  /** Registers sent audio. Returns the progress mark to send after it, if one is due. */
  onAudio(generationId: number, bytes: number, now: number): { first: boolean; mark?: string } {
    const g = this.get(generationId);
    const first = g.sentBytes === 0;
    if (first) g.startedAt = Math.max(now, this.queueEndAt);
    const before = Math.floor(g.sentBytes / this.bytesPerSecond);
    g.sentBytes += bytes;
    this.queueEndAt = Math.max(now, this.queueEndAt) + (bytes / this.bytesPerSecond) * 1000;
    const after = Math.floor(g.sentBytes / this.bytesPerSecond);
    return after > before ? { first, mark: `${generationId}:${g.sentBytes}` } : { first };
  }

  onWords(generationId: number, endSec: readonly number[]): void {
    const g = this.get(generationId);
    for (const end of endSec) g.wordEnds.push(end);
  }

  /** All audio of the reply was sent; returns the mark whose echo means it was fully played. */
  onDone(generationId: number): string {
    this.get(generationId).done = true;
    return `${generationId}:end`;
  }

  /** A mark echoed. Returns the reply it completed, if it was an end mark. */
  onMark(name: string, now: number): { finished?: number } {
    const colon = name.indexOf(':');
    if (colon < 0) return {};
    const id = Number(name.slice(0, colon));
    const g = this.generations.get(id);
    if (!g) return {};
    const tail = name.slice(colon + 1);
    if (tail === 'end') {
      this.generations.delete(id);
      return { finished: id };
    }
    const offset = Number(tail);
    if (Number.isFinite(offset)) {
      g.ackSec = offset / this.bytesPerSecond;
      g.ackAt = now;
    }
    return {};
  }

  /** Whether `generationId` is a reply still being tracked (sent, not finished or interrupted). */
  has(generationId: number): boolean {
    return this.generations.has(generationId);
  }

  /** Seconds of `generationId` played by `now`. */
  playedSec(generationId: number, now: number): number {
    const g = this.generations.get(generationId);
    if (!g || g.sentBytes === 0) return 0;
    const sentSec = g.sentBytes / this.bytesPerSecond;
    const position = g.ackAt > 0 ? g.ackSec + (now - g.ackAt) / 1000 : (now - g.startedAt) / 1000;
    return Math.min(sentSec, Math.max(0, position));
  }

  heardWords(generationId: number, now: number): number {
    const g = this.generations.get(generationId);
    if (!g) return 0;
    const played = this.playedSec(generationId, now);
    if (played <= 0) return 0;
    if (g.wordEnds.length > 0) {
      let n = 0;
      for (const end of g.wordEnds) if (end <= played + 0.05) n++;
      return n;
    }
    const total = countWords(g.text);
    if (g.done) return Math.floor((total * played) / (g.sentBytes / this.bytesPerSecond));
    return Math.min(total, Math.floor(played * WORDS_PER_SECOND));
  }

  /** Audio sent and not yet played (by the estimate) at `now`. */
  audible(now: number): boolean {
    return this.queueEndAt > now || this.pendingEnd();
  }

  /** Some reply has sent audio whose end mark has not echoed yet. */
  pendingEnd(): boolean {
    for (const g of this.generations.values()) if (g.sentBytes > 0) return true;
    return false;
  }

  /** When everything sent should have finished playing (monotonic ms). */
  get drainsAt(): number {
    return this.queueEndAt;
  }

  /** Forgets replies up to `upTo` (all when negative); returns their heard word counts. */
  interrupt(upTo: number, now: number): Map<number, number> {
    const heard = new Map<number, number>();
    for (const id of [...this.generations.keys()]) {
      if (upTo >= 0 && id > upTo) continue;
      heard.set(id, this.heardWords(id, now));
      this.generations.delete(id);
    }
    this.queueEndAt = now;
    return heard;
  }

  private get(generationId: number): GenerationPlayback {
    let g = this.generations.get(generationId);
    if (!g) {
      g = {
        text: '',
        sentBytes: 0,
        startedAt: 0,
        ackSec: 0,
        ackAt: 0,
        done: false,
        wordEnds: [],
      };
      this.generations.set(generationId, g);
    }
    return g;
  }
}
