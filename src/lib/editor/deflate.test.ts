import { describe, expect, it } from 'vitest';
import { deflate, inflate } from './deflate.ts';

describe('deflate-raw for file documents', () => {
  it('round-trips, shrinks source text, and refuses garbage and bombs', async () => {
    const text = new TextEncoder().encode('const a = compute(1, "some text"); // x\n'.repeat(20_000));
    const small = await deflate(text);
    expect(small.length).toBeLessThan(text.length / 10);
    expect(await inflate(small)).toEqual(text);
    expect(await inflate(await deflate(new Uint8Array(0)))).toEqual(new Uint8Array(0));
    await expect(inflate(new Uint8Array([0xff, 0xff, 0xff, 0x01]))).rejects.toThrow();
    await expect(inflate(small, 1000)).rejects.toThrow(/more than 1000 bytes/);
  });
});
