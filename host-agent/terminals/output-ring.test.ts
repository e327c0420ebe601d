import { describe, expect, it } from 'vitest';
import { OutputRing } from './output-ring.ts';

const bytes = (n: number) => new Uint8Array(n);

describe('OutputRing', () => {
  it('returns the chunks from a seq, [] when up to date, null when too old or unknown', () => {
    const r = new OutputRing(100);
    expect(r.tail(1)).toEqual([]);
    for (let s = 1; s <= 10; s++) r.push(s, bytes(30));
    // 100 bytes hold the last 3 chunks (90 bytes)
    expect(r.bytes).toBe(90);
    expect(r.tail(8)!.map((c) => c.seq)).toEqual([8, 9, 10]);
    expect(r.tail(10)!.map((c) => c.seq)).toEqual([10]);
    expect(r.tail(11)).toEqual([]);
    expect(r.tail(7)).toBeNull();
    expect(r.tail(1)).toBeNull();
    expect(r.tail(12)).toBeNull();
    expect(r.tail(8.5)).toBeNull();
  });

  it('keeps the newest chunk even when it alone exceeds the bound', () => {
    const r = new OutputRing(10);
    r.push(1, bytes(5));
    r.push(2, bytes(50));
    expect(r.tail(2)!.map((c) => c.data.length)).toEqual([50]);
    expect(r.tail(1)).toBeNull();
  });

  it('refuses a gap in the numbering and stays consistent over many pushes', () => {
    const r = new OutputRing(1000);
    r.push(1, bytes(1));
    expect(() => r.push(3, bytes(1))).toThrow(/does not follow/);
    for (let s = 2; s <= 5000; s++) r.push(s, bytes(10));
    const t = r.tail(4901)!;
    expect(t.length).toBe(100);
    expect(t[0].seq).toBe(4901);
    expect(t[99].seq).toBe(5000);
    expect(r.tail(4900)).toBeNull();
  });
});
