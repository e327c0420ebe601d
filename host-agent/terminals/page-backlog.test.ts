import { describe, expect, it } from 'vitest';
import { MARK_BYTES, PageBacklog } from './page-backlog.ts';

describe('PageBacklog', () => {
  it('counts sent bytes until the page acknowledges their seq', () => {
    const b = new PageBacklog();
    b.sent(1, MARK_BYTES);
    b.sent(2, MARK_BYTES);
    b.sent(3, MARK_BYTES);
    expect(b.bytes).toBe(3 * MARK_BYTES);
    b.ack(2);
    expect(b.bytes).toBe(MARK_BYTES);
    b.ack(1); // stale
    expect(b.bytes).toBe(MARK_BYTES);
    b.ack(3);
    expect(b.bytes).toBe(0);
  });

  it('merges small chunks, overestimating by less than MARK_BYTES, with few checkpoints', () => {
    const b = new PageBacklog();
    for (let seq = 1; seq <= 10_000; seq++) b.sent(seq, 100);
    b.ack(5_000);
    expect(b.bytes).toBeGreaterThanOrEqual(500_000);
    expect(b.bytes).toBeLessThan(500_000 + MARK_BYTES);
    b.ack(10_000);
    expect(b.bytes).toBe(0);
  });

  it('treats an ack past everything sent as all parsed, and starts over on reset', () => {
    const b = new PageBacklog();
    b.sent(7, 1000);
    b.ack(99);
    expect(b.bytes).toBe(0);
    b.sent(8, 10);
    b.reset();
    expect(b.bytes).toBe(0);
    b.sent(3, 5);
    b.ack(3);
    expect(b.bytes).toBe(0);
  });
});
