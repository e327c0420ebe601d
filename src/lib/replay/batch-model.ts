/**
 * A recording's model: the events replayed into headless terminals (for keyframes) and into the
 * word index. It is the heavy part of recording — every byte of output is parsed a second time —
 * which is why a BatchWriter may run it later than it stores the events (batch-writer.ts).
 */
import type { Keyframe, Screen, Stored } from './events.ts';
import { ReplayModel } from './replay-state.ts';
import { WordIndexer, type WordPage } from './search-index.ts';
import { TermModel, type XtermKit } from './term-model.ts';

/** A keyframe after this much terminal output since the last one, bytes (bounds a seek's work:
 * a seek parses one keyframe and at most this much after it). Half of what it was, with half the
 * scrollback per keyframe (term-model.ts): the same storage, half the parsing per seek. */
export const KEYFRAME_BYTES = 64 * 1024;
/** …or after this long with any change, ms. */
export const KEYFRAME_MS = 10_000;
/** …but not more often than this, ms of recording time: a keyframe costs a serialize (a few ms),
 * and a terminal pouring out tens of MB/s would otherwise take hundreds a second. */
export const KEYFRAME_MIN_MS = 250;

/** Terminal output bytes an event carries. */
export function outputBytes(e: Stored): number {
  if (e.k !== 'msg' || e.cap !== 'terminal') return 0;
  return (e.msg as { data?: Uint8Array | string }).data?.length ?? 0;
}

export class BatchModel {
  #rec: string;
  #kit: XtermKit;
  #model: ReplayModel;
  #terms = new Map<number, TermModel>();
  #words: WordIndexer;
  #sinceKf = { bytes: 0, t: 0, changed: false };
  /** seq of the last event modelled */
  seq = 0;

  constructor(rec: string, kit: XtermKit) {
    this.#rec = rec;
    this.#kit = kit;
    this.#model = new ReplayModel((id) => this.#term(id));
    this.#words = new WordIndexer(rec);
  }

  #term(id: number): TermModel {
    let m = this.#terms.get(id);
    if (!m) this.#terms.set(id, (m = new TermModel(this.#kit, this.#model.sizes.get(id)?.cols, this.#model.sizes.get(id)?.rows)));
    return m;
  }

  /** Models one batch (the events after the last one modelled, in seq order): the keyframes that
   * fell due in it and the word pages it finished (a batch ends a page). */
  async add(batch: Stored[]): Promise<{ keyframes: Keyframe[]; pages: WordPage[] }> {
    const keyframes: Keyframe[] = [];
    if (batch.length === 0) return { keyframes, pages: [] };
    for (const e of batch) {
      this.#model.apply(e);
      this.#words.add(e);
      this.#sinceKf.changed = true;
      const n = outputBytes(e);
      if (n === 0) continue;
      this.#sinceKf.bytes += n;
      // by bytes, inside the batch: a seek then never parses more than about KEYFRAME_BYTES,
      // however fast the output came
      if (this.#sinceKf.bytes >= KEYFRAME_BYTES && e.t - this.#sinceKf.t >= KEYFRAME_MIN_MS) keyframes.push(await this.#keyframe(e));
    }
    const last = batch[batch.length - 1];
    if (this.#sinceKf.changed && last.t - this.#sinceKf.t >= KEYFRAME_MS) keyframes.push(await this.#keyframe(last));
    this.seq = last.seq;
    return { keyframes, pages: this.#words.take() };
  }

  /** The state after event `at`; restarts the count towards the next keyframe. */
  async #keyframe(at: Stored): Promise<Keyframe> {
    const screens: Screen[] = [];
    for (const [id, m] of this.#terms) {
      await m.settled();
      screens.push({ id, cols: m.cols, rows: m.rows, data: m.serialize() });
    }
    this.#sinceKf = { bytes: 0, t: at.t, changed: false };
    return { rec: this.#rec, seq: at.seq, t: at.t, ...this.#model.state(screens) };
  }

  dispose(): void {
    for (const m of this.#terms.values()) m.dispose();
    this.#terms.clear();
  }
}
