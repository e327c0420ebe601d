/**
 * What the host's main thread gathers for the cast worker between two posts (recorder.ts): output
 * chunks by reference (no copy on the output path), resizes and markers, in order. take() packs
 * them: a terminal's consecutive chunks within BATCH_MS become one item (stamped with the first
 * one's time, as the cast batches them anyway), all bytes copied into one buffer that is handed over, not cloned (and
 * handed back after, for the next batch).
 */
import { BATCH_MS } from './asciicast.ts';
import type { CastItem } from './cast-worker.ts';

/** Output as the terminal emitted it, with its seq (a marker can be put right after it). */
export type Queued = Exclude<CastItem, { type: 'o' }> | { type: 'o'; id: number; seq: number; data: Uint8Array; at: number };

export class CastQueue {
  #items: Queued[] = [];

  get empty(): boolean {
    return this.#items.length === 0;
  }

  push(m: Queued): void {
    this.#items.push(m);
  }

  /** Puts `m` right after output chunk `afterSeq` of its terminal: before the first later chunk
   * already queued, else at the end. */
  insert(m: Queued, afterSeq: number): void {
    const at = this.#items.findIndex((q) => q.type === 'o' && q.id === m.id && q.seq > afterSeq);
    if (at < 0) this.#items.push(m);
    else this.#items.splice(at, 0, m);
  }

  /** Everything queued, packed for one post; the queue is empty after. `spare`: a buffer an earlier
   * take() handed over and the worker gave back, used again when it is large enough. */
  take(spare: ArrayBuffer | null = null): { items: CastItem[]; buffer: ArrayBuffer } {
    const queue = this.#items;
    this.#items = [];
    let total = 0;
    for (const q of queue) if (q.type === 'o') total += q.data.length;
    // (a fresh one not zeroed first: every byte of it is written just below)
    const all = spare && spare.byteLength >= total ? new Uint8Array(spare, 0, total) : new Uint8Array(Buffer.allocUnsafeSlow(total).buffer, 0, total);
    const items: CastItem[] = [];
    let end = 0;
    let run: { id: number; start: number; at: number } | null = null;
    const close = () => {
      if (run) items.push({ type: 'o', id: run.id, data: all.subarray(run.start, end), at: run.at });
      run = null;
    };
    for (const q of queue) {
      if (q.type !== 'o') {
        close();
        items.push(q);
        continue;
      }
      // a pause in the output stays in the cast: not merged across BATCH_MS
      if (run && (run.id !== q.id || q.at - run.at >= BATCH_MS)) close();
      run ??= { id: q.id, start: end, at: q.at };
      all.set(q.data, end);
      end += q.data.length;
    }
    close();
    return { items, buffer: all.buffer };
  }
}
