/**
 * One way to publish events and one way to let go of resources (the idea of xterm.js's Event.ts and
 * Lifecycle.ts), instead of ad-hoc listener sets and arrays of unsubscribe functions.
 */

export interface Disposable {
  dispose(): void;
}

export type Listener<T> = (e: T) => void;

/** A typed event: `on` subscribes and returns what unsubscribes. */
export class Emitter<T> {
  #listeners = new Set<Listener<T>>();

  on = (l: Listener<T>): Disposable => {
    this.#listeners.add(l);
    return { dispose: () => void this.#listeners.delete(l) };
  };

  /** Calls every listener; one that throws does not keep the others from running. */
  fire(e: T): void {
    for (const l of [...this.#listeners]) {
      try {
        l(e);
      } catch (err) {
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }

  get size(): number {
    return this.#listeners.size;
  }

  dispose(): void {
    this.#listeners.clear();
  }
}

/** Holds disposables and disposes them all, once, in reverse order. */
export class DisposableStore implements Disposable {
  #items: Disposable[] = [];
  #disposed = false;

  add<D extends Disposable>(d: D): D {
    if (this.#disposed) d.dispose();
    else this.#items.push(d);
    return d;
  }

  /** a plain cleanup function as a disposable */
  addFn(fn: () => void): void {
    this.add({ dispose: fn });
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const d of this.#items.splice(0).reverse()) d.dispose();
  }
}
