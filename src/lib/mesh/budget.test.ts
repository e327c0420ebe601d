import { describe, expect, it } from 'vitest';
import { Budget, Bucket, Strikes } from './budget.ts';

describe('budgets', () => {
  it('a bucket allows its burst, then its rate', () => {
    const b = new Bucket({ burst: 3, perSecond: 2 }, 0);
    expect([b.take(1, 0), b.take(1, 0), b.take(1, 0), b.take(1, 0)]).toEqual([true, true, true, false]);
    expect(b.take(1, 499)).toBe(false);
    expect(b.take(1, 500)).toBe(true);
  });

  it('a refused message spends nothing from the byte budget', () => {
    const b = new Budget({ messages: { burst: 2, perSecond: 0 }, bytes: { burst: 100, perSecond: 0 } }, 0);
    expect(b.take(60, 0)).toBe(true);
    expect(b.take(60, 0)).toBe(false);
    expect(b.take(40, 0)).toBe(false);
    expect(b.dropped).toBe(2);
  });

  it('strikes fade with time', () => {
    const s = new Strikes(3, 1000);
    expect([s.add(0), s.add(0)]).toEqual([false, false]);
    expect(s.add(5000)).toBe(false);
    expect([s.add(5000), s.add(5000)]).toEqual([false, true]);
  });
});
