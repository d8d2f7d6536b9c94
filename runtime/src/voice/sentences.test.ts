import { describe, expect, it } from 'vitest';
import { countWords, indexAfterWords, SentenceSplitter } from './sentences.js';

function split(deltas: string[]): string[] {
  const s = new SentenceSplitter();
  const out = deltas.flatMap((d) => s.push(d));
  const rest = s.flush();
  return rest ? [...out, rest] : out;
}

describe('SentenceSplitter', () => {
  it('emits each sentence as soon as the token after it arrives', () => {
    const s = new SentenceSplitter();
    expect(s.push('It is ')).toEqual([]);
    expect(s.push('sunny.')).toEqual([]);
    expect(s.push(' Anything')).toEqual(['It is sunny. ']);
    expect(s.push(' else?')).toEqual([]);
    expect(s.flush()).toBe('Anything else?');
  });

  it('keeps the exact text when the pieces are joined', () => {
    const text = 'Hello there! How are you?  I can help; just ask.\nBye.';
    const pieces = split(text.split(/(?<= )/));
    expect(pieces.join('')).toBe(text);
    expect(pieces).toHaveLength(5);
  });

  it('does not split after abbreviations, initials or decimals', () => {
    expect(split(['Dr. Smith paid 3.5 dollars to J. R. Doe. ', 'Done.'])).toEqual([
      'Dr. Smith paid 3.5 dollars to J. R. Doe. ',
      'Done.',
    ]);
  });

  it('cuts an overlong clause at a comma', () => {
    const long = `${'word '.repeat(40)}, and more`;
    const pieces = split([long]);
    expect(pieces.length).toBe(2);
    expect(pieces.join('')).toBe(long);
  });
});

describe('word helpers', () => {
  it('finds the index after the n-th word', () => {
    expect(indexAfterWords('One two  three', 2)).toBe(9);
    expect(indexAfterWords('One two', 5)).toBe(7);
    expect(indexAfterWords('One two', 0)).toBe(0);
    expect(countWords(' a  b c ')).toBe(3);
  });
});
