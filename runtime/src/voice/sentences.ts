/**
 * Splits streamed LLM tokens into speakable pieces, so TTS can start on the first sentence while
 * the model is still writing the rest. A piece ends after `.`, `!`, `?`, `;` or a newline that is
 * followed by whitespace — not after common abbreviations, initials or decimal points. A long
 * clause is cut at a comma so the first audio does not wait for a 40-word sentence. Pieces keep
 * their trailing whitespace: concatenated, they are exactly the model's text.
 */
const ABBREVIATIONS = new Set([
  'mr',
  'mrs',
  'ms',
  'dr',
  'prof',
  'sr',
  'jr',
  'st',
  'vs',
  'etc',
  'e.g',
  'i.e',
  'inc',
  'ltd',
  'co',
  'no',
  'approx',
  'apt',
  'ave',
  'mt',
]);

export interface SentenceSplitterOptions {
  /** Cut at a comma once a piece is at least this long (characters). */
  readonly softLimit?: number;
}

export class SentenceSplitter {
  private buffer = '';
  private readonly softLimit: number;

  constructor(options: SentenceSplitterOptions = {}) {
    this.softLimit = options.softLimit ?? 160;
  }

  /** Adds a token delta; returns the pieces it completed (often none). */
  push(delta: string): string[] {
    this.buffer += delta;
    const out: string[] = [];
    let start = 0;
    // Only text followed by whitespace can end a piece: the next delta may still extend it.
    for (let i = 0; i < this.buffer.length - 1; i++) {
      const ch = this.buffer[i]!;
      const next = this.buffer[i + 1]!;
      if (!isSpace(next)) continue;
      const length = i + 1 - start;
      if (
        ch === '\n' ||
        ((ch === '.' || ch === '!' || ch === '?' || ch === ';') && this.endsSentence(start, i))
      ) {
        const end = this.skipSpaces(i + 1);
        out.push(this.buffer.slice(start, end));
        start = end;
        i = end - 1;
      } else if (ch === ',' && length >= this.softLimit) {
        const end = this.skipSpaces(i + 1);
        out.push(this.buffer.slice(start, end));
        start = end;
        i = end - 1;
      }
    }
    if (start > 0) this.buffer = this.buffer.slice(start);
    return out;
  }

  /** Returns what is left at the end of the stream (may be empty). */
  flush(): string {
    const rest = this.buffer;
    this.buffer = '';
    return rest.trim() === '' ? '' : rest;
  }

  private skipSpaces(i: number): number {
    while (i < this.buffer.length && isSpace(this.buffer[i]!)) i++;
    return i;
  }

  private endsSentence(start: number, i: number): boolean {
    const ch = this.buffer[i];
    if (ch !== '.') return true;
    // The word before the period: an abbreviation or a single initial does not end a sentence.
    let w = i - 1;
    while (w >= start && !isSpace(this.buffer[w]!)) w--;
    const word = this.buffer
      .slice(w + 1, i)
      .replace(/^[("'“]+/, '')
      .toLowerCase();
    if (word.length === 1 && /[a-z]/.test(word)) return false;
    return !ABBREVIATIONS.has(word);
  }
}

function isSpace(ch: string): boolean {
  return ch === ' ' || ch === '\n' || ch === '\t' || ch === '\r';
}

/** Index just past the `n`-th word of `text` (words are whitespace-separated); 0 for n <= 0. */
export function indexAfterWords(text: string, n: number): number {
  if (n <= 0) return 0;
  let count = 0;
  let i = 0;
  while (i < text.length) {
    while (i < text.length && isSpace(text[i]!)) i++;
    if (i >= text.length) break;
    while (i < text.length && !isSpace(text[i]!)) i++;
    count++;
    if (count === n) {
      while (i < text.length && isSpace(text[i]!)) i++;
      return i;
    }
  }
  return text.length;
}

export function countWords(text: string): number {
  let count = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const space = isSpace(text[i]!);
    if (!space && !inWord) count++;
    inWord = !space;
  }
  return count;
}
