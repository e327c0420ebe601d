import { describe, expect, it } from 'vitest';
import { markerFrom, playerKey } from './keys.ts';

const k = (key: string, shiftKey = false) => playerKey({ key, shiftKey, ctrlKey: false, altKey: false, metaKey: false });

describe('player keys', () => {
  it('maps space, arrows, brackets, digits and speed keys', () => {
    expect(k(' ')).toEqual({ kind: 'toggle' });
    expect(k('ArrowLeft')).toEqual({ kind: 'step', ms: -5000 });
    expect(k('ArrowRight', true)).toEqual({ kind: 'step', ms: 30000 });
    expect(k(']')).toEqual({ kind: 'marker', dir: 1 });
    expect(k('7')).toEqual({ kind: 'percent', pct: 70 });
    expect(k('End')).toEqual({ kind: 'percent', pct: 100 });
    expect(k('+')).toEqual({ kind: 'speed', dir: 1 });
    expect(k('x')).toBeNull();
    expect(playerKey({ key: '1', shiftKey: false, ctrlKey: true, altKey: false, metaKey: false })).toBeNull();
  });

  it('goes to the next and previous marker', () => {
    const m = [1000, 5000, 9000];
    expect(markerFrom(m, 5000, 1)).toBe(9000);
    expect(markerFrom(m, 5000, -1)).toBe(1000);
    expect(markerFrom(m, 5200, -1)).toBe(1000);
    expect(markerFrom(m, 6000, -1)).toBe(5000);
    expect(markerFrom(m, 9000, 1)).toBeNull();
  });
});
