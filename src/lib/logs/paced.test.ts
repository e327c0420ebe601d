import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Paced } from './paced.ts';

describe('Paced', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    // Node has no frames: one every 16 ms, on the same fake clock
    vi.stubGlobal('requestAnimationFrame', (cb: () => void) => setTimeout(cb, 16) as unknown as number);
    vi.stubGlobal('cancelAnimationFrame', (id: number) => clearTimeout(id));
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('draws on the next frame after a poke, then at most once every minMs however often it is poked', () => {
    let draws = 0;
    const paced = new Paced(() => draws++, 100);
    paced.poke();
    vi.advanceTimersByTime(16);
    expect(draws).toBe(1);
    // a flood: a poke every 5 ms for a second → about ten draws, not sixty
    for (let t = 0; t < 1000; t += 5) {
      paced.poke();
      vi.advanceTimersByTime(5);
    }
    expect(draws).toBeGreaterThanOrEqual(9);
    expect(draws).toBeLessThanOrEqual(11);
    // the last poke is drawn, once
    vi.advanceTimersByTime(500);
    const after = draws;
    vi.advanceTimersByTime(500);
    expect(draws).toBe(after);
    paced.poke();
    paced.dispose();
    vi.advanceTimersByTime(500);
    expect(draws).toBe(after);
  });
});
