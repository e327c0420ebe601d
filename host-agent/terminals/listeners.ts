/** A set of callbacks; `add` returns the function that removes the one it added. */
export class Listeners<A extends unknown[]> {
  #set = new Set<(...args: A) => void>();

  add(cb: (...args: A) => void): () => void {
    this.#set.add(cb);
    return () => {
      this.#set.delete(cb);
    };
  }

  /** Calls every listener; one that throws does not keep the others from running. */
  emit(...args: A): void {
    for (const cb of [...this.#set]) {
      try {
        cb(...args);
      } catch (err) {
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }

  clear(): void {
    this.#set.clear();
  }
}
