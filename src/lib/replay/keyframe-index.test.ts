import { describe, expect, it } from 'vitest';
import type { Keyframe } from './events.ts';
import { CACHED_KEYFRAMES, KeyframeIndex } from './keyframe-index.ts';

const kf = (seq: number): Keyframe => ({ rec: 'r', seq, t: seq * 10, people: [], self: null, latest: {}, screens: [] });

describe('KeyframeIndex', () => {
  it('finds the last keyframe at or before t, and cannot tell before it is loaded or past its end', () => {
    const ix = new KeyframeIndex();
    expect(ix.before(50)).toBeNull();
    ix.load([100, 200, 200, 300], [10, 20, 21, 30]);
    expect(ix.before(99)).toBeUndefined();
    expect(ix.before(100)).toEqual({ t: 100, seq: 10 });
    expect(ix.before(250)).toEqual({ t: 200, seq: 21 });
    expect(ix.before(299)).toEqual({ t: 200, seq: 21 });
    // at or past the last one a recording still being written may have newer ones
    expect(ix.before(300)).toBeNull();
    expect(() => ix.load([1], [])).toThrow(/as many/);
  });

  it('keeps the keyframes used last, dropping the least recently used', () => {
    const ix = new KeyframeIndex();
    for (let s = 1; s <= CACHED_KEYFRAMES; s++) ix.remember(kf(s));
    expect(ix.cached(1)?.seq).toBe(1); // now the most recent
    ix.remember(kf(100));
    expect(ix.cached(2)).toBeUndefined();
    expect(ix.cached(1)?.seq).toBe(1);
    expect(ix.cached(100)?.seq).toBe(100);
  });
});
