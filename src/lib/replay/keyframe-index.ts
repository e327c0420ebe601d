/**
 * Where a seek starts, known without a request: every keyframe's (t, seq), read once as keys only
 * (no keyframe decoded), and the last few keyframes used, kept whole (a drag, or seeks back and
 * forth, start from the same few again). DOM-free; the reader fills it.
 */
import type { Keyframe } from './events.ts';

/** Keyframes kept whole, most recently used first (each a few tens of KB). */
export const CACHED_KEYFRAMES = 16;

export interface KeyframeKey {
  t: number;
  seq: number;
}

export class KeyframeIndex {
  #t: number[] = [];
  #seq: number[] = [];
  #loaded = false;
  #cache = new Map<number, Keyframe>();

  /** `ts` and `seqs`: every keyframe's t and seq, in the order of t. */
  load(ts: number[], seqs: number[]): void {
    if (ts.length !== seqs.length) throw new Error('keyframe index: as many t as seq expected');
    this.#t = ts;
    this.#seq = seqs;
    this.#loaded = true;
  }

  /**
   * The last keyframe at or before t; undefined when there is none; null when the index cannot
   * tell: not loaded yet, or t is past its last keyframe (a recording still being written may have
   * newer ones).
   */
  before(t: number): KeyframeKey | undefined | null {
    if (!this.#loaded) return null;
    const ts = this.#t;
    if (ts.length === 0 || t >= ts[ts.length - 1]) return null;
    // the first index whose t > target, then one back (several keyframes of one ms: the last)
    let lo = 0;
    let hi = ts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ts[mid] <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? undefined : { t: ts[lo - 1], seq: this.#seq[lo - 1] };
  }

  cached(seq: number): Keyframe | undefined {
    const k = this.#cache.get(seq);
    if (k) {
      this.#cache.delete(seq);
      this.#cache.set(seq, k);
    }
    return k;
  }

  remember(k: Keyframe): void {
    this.#cache.delete(k.seq);
    this.#cache.set(k.seq, k);
    if (this.#cache.size > CACHED_KEYFRAMES) this.#cache.delete(this.#cache.keys().next().value!);
  }
}
