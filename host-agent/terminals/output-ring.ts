/**
 * The most recent output chunks of one terminal, bounded by total bytes, so a peer that briefly
 * fell behind (or reconnected) resumes from a sequence number instead of a full snapshot.
 */
export interface OutputChunk {
  seq: number;
  data: Uint8Array;
}

/** Default bound of the ring, bytes. */
export const RING_BYTES = 2 * 1024 * 1024;

export class OutputRing {
  readonly maxBytes: number;
  #chunks: OutputChunk[] = [];
  /** index of the oldest live chunk in #chunks (dropped ones are compacted lazily) */
  #head = 0;
  #bytes = 0;
  /** seq of the newest chunk pushed (0 = none) */
  #last = 0;

  constructor(maxBytes = RING_BYTES) {
    this.maxBytes = maxBytes;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Appends the chunk `seq`, which must be the one after the last pushed. */
  push(seq: number, data: Uint8Array): void {
    if (this.#last !== 0 && seq !== this.#last + 1) throw new Error(`output chunk ${seq} does not follow ${this.#last}`);
    this.#last = seq;
    this.#chunks.push({ seq, data });
    this.#bytes += data.length;
    // keep at least the newest chunk even if it alone is over the bound
    while (this.#bytes > this.maxBytes && this.#chunks.length - this.#head > 1) {
      this.#bytes -= this.#chunks[this.#head].data.length;
      this.#head++;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#chunks.length) {
      this.#chunks = this.#chunks.slice(this.#head);
      this.#head = 0;
    }
  }

  /**
   * Chunks with seq ≥ `from`: [] when `from` is the next seq to come, null when the ring no longer
   * (or never) holds `from` — the caller then falls back to a snapshot.
   */
  tail(from: number): OutputChunk[] | null {
    if (!Number.isInteger(from)) return null;
    from = Math.max(from, 1);
    if (from === this.#last + 1) return [];
    if (from > this.#last + 1) return null;
    const oldest = this.#chunks[this.#head];
    if (!oldest || from < oldest.seq) return null;
    return this.#chunks.slice(this.#head + (from - oldest.seq));
  }
}
