import { describe, expect, it } from 'vitest';
import { clientKey, RateLimiter } from './rate-limit.ts';

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

describe('clientKey', () => {
  it('groups IPv6 by /64, unwraps IPv4-mapped addresses, and trusts X-Forwarded-For only when told', () => {
    expect(clientKey('2001:db8:1:2:aaaa::1', undefined, false)).toBe('2001:db8:1:2::/64');
    expect(clientKey('2001:0db8:0001:0002:ffff:1:2:3', undefined, false)).toBe('2001:db8:1:2::/64');
    expect(clientKey('::ffff:10.0.0.7', undefined, false)).toBe('10.0.0.7');
    // a client's own X-Forwarded-For is ignored unless the server sits behind a proxy it trusts
    expect(clientKey('10.0.0.1', '203.0.113.9', false)).toBe('10.0.0.1');
    expect(clientKey('10.0.0.1', 'spoofed, 203.0.113.9', true)).toBe('203.0.113.9');
    expect(clientKey('10.0.0.1', '2001:db8:5:6::9', true)).toBe('2001:db8:5:6::/64');
  });
});
