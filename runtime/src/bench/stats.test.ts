import { describe, expect, it } from 'vitest';
import { fmt, quantile, summarize } from './stats.js';

describe('bench statistics', () => {
  it('takes nearest-rank percentiles, so p99 of 100 samples is the 99th', () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i);
    const s = summarize(samples);
    expect(s).toMatchObject({ count: 100, p50: 50, p90: 90, p99: 99, max: 100, mean: 50.5 });
  });

  it('p99 of a small sample is its maximum', () => {
    expect(quantile([1, 2, 3], 0.99)).toBe(3);
    expect(quantile([7], 0.5)).toBe(7);
  });

  it('reports no value rather than zero when there are no samples', () => {
    const s = summarize([]);
    expect(s.count).toBe(0);
    expect(fmt(s.p50)).toBe('–');
    expect(fmt(12.345)).toBe('12.3');
  });
});
