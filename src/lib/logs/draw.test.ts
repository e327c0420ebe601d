import { describe, expect, it } from 'vitest';
import { rowsToDraw } from './draw.ts';

const rows = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => ({ n: from + i }));

describe('rowsToDraw', () => {
  it('draws the newest rows first, a bounded number of new ones at a time, until all are there', () => {
    const all = rows(0, 250);
    let drawn = new Set<{ n: number }>();
    const steps: number[] = [];
    for (let n = 0; n < all.length; ) {
      n = rowsToDraw(all, drawn, 100);
      steps.push(n);
      drawn = new Set(all.slice(-n));
    }
    expect(steps).toEqual([100, 200, 250]);
    expect(rowsToDraw([], drawn, 100)).toBe(0);
  });

  it('under a flood (every row new) draws only the newest ones; rows drawn before do not count', () => {
    const old = rows(0, 1000);
    const flood = [...old.slice(500), ...rows(1000, 1500)];
    expect(rowsToDraw(flood, new Set(old.slice(-100)), 100)).toBe(100);
    // a few new lines at the end of rows all drawn: all of them
    const calm = [...old.slice(3), ...rows(1000, 1003)];
    expect(rowsToDraw(calm, new Set(old), 100)).toBe(1000);
  });
});
