import { describe, expect, it } from 'vitest';
import { DisposableStore, Emitter } from './events.ts';

describe('events', () => {
  it('delivers to every listener until it is disposed', () => {
    const e = new Emitter<number>();
    const got: number[] = [];
    const sub = e.on((n) => got.push(n));
    e.on((n) => got.push(n * 10));
    e.fire(1);
    sub.dispose();
    e.fire(2);
    expect(got).toEqual([1, 10, 20]);
  });

  it('disposes everything it holds once, newest first, and at once what comes after', () => {
    const order: string[] = [];
    const store = new DisposableStore();
    store.addFn(() => order.push('a'));
    store.add({ dispose: () => order.push('b') });
    store.dispose();
    store.dispose();
    store.addFn(() => order.push('late'));
    expect(order).toEqual(['b', 'a', 'late']);
  });
});
