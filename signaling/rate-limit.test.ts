import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limit.ts';

describe('RateLimiter', () => {
  it('allows a burst, then one request per refill, per client', () => {
    let now = 0;
    const r = new RateLimiter({ burst: 3, perMinute: 6, now: () => now });
    expect([r.take('a'), r.take('a'), r.take('a')]).toEqual([0, 0, 0]);
    expect(r.take('a')).toBe(10); // 6 per minute: one every 10 s
    expect(r.take('b')).toBe(0);
    now += 10_000;
    expect(r.take('a')).toBe(0);
    expect(r.take('a')).toBeGreaterThan(0);
  });
});
