/**
 * Plain runs of terminal output: printable ASCII, CR and LF, no escape and no other control. A
 * flood of them (`yes`, `seq`, a log being cat) changes nothing but the text on the lines, and only
 * the last lines survive: once `keepLines` line feeds follow a CR, what came before that CR cannot
 * show in screen or scrollback. The host's mirror keeps such a run back for a moment and parses
 * only its end (PlainHold), instead of every byte of a 50 MB flood.
 *
 * Why it is exact (full-screen scroll region, no escape anywhere in the run): from a CR the cursor
 * is at column 0, and every row the run writes from there depends only on the run's bytes and the
 * terminal's fixed modes (autowrap, insert, colours: no escape changes them). The rows the run did
 * not write from blank (those on screen when it started, at most `rows`, plus the scrollback) are
 * pushed out after rows + scrollback scrolls, reached within 2 × rows + scrollback line feeds.
 */
const CR = 0x0d;
const LF = 0x0a;

/** Line feeds that must follow a CR before the output ahead of it can be dropped. */
export function linesToKeep(rows: number, scrollback: number): number {
  return 2 * rows + scrollback;
}

/** The number of line feeds in `data` when it is all plain, else -1. */
export function plainLineFeeds(data: Uint8Array): number {
  let lfs = 0;
  for (let i = 0; i < data.length; i++) {
    const b = data[i];
    if (b >= 0x20 && b <= 0x7e) continue;
    if (b === LF) lfs++;
    else if (b !== CR) return -1;
  }
  return lfs;
}

export interface HeldChunk {
  seq: number;
  data: Uint8Array;
}

/**
 * Consecutive plain chunks held back from the parser, trimmed at the front once enough lines
 * follow. The caller decides when dropping is allowed (`trim`) and when to parse (`take`).
 */
export class PlainHold {
  #chunks: HeldChunk[] = [];
  #lfs = 0;
  #bytes = 0;

  /** held bytes (after trimming) */
  get bytes(): number {
    return this.#bytes;
  }

  get length(): number {
    return this.#chunks.length;
  }

  /** line feeds held */
  get lineFeeds(): number {
    return this.#lfs;
  }

  /** `lfs`: plainLineFeeds(data) */
  push(seq: number, data: Uint8Array, lfs: number): void {
    this.#chunks.push({ seq, data });
    this.#lfs += lfs;
    this.#bytes += data.length;
  }

  /**
   * Drops the front up to the last CR that still has `keepLines` line feeds after it: the chunks
   * wholly before it go (never parsed), the one holding it keeps its bytes from the CR. Returns
   * the bytes dropped.
   */
  trim(keepLines: number): number {
    const droppable = this.#lfs - keepLines;
    if (droppable < 0) return 0;
    // forward from the front: the cut is the last CR before more than `droppable` line feeds
    let seen = 0;
    let cut: { chunk: number; at: number; lfsBefore: number } | null = null;
    scan: for (let c = 0; c < this.#chunks.length; c++) {
      const d = this.#chunks[c].data;
      for (let i = 0; i < d.length; i++) {
        const b = d[i];
        if (b === CR) cut = { chunk: c, at: i, lfsBefore: seen };
        else if (b === LF && ++seen > droppable) break scan;
      }
    }
    if (!cut) return 0;
    let bytes = cut.at;
    for (const d of this.#chunks.splice(0, cut.chunk)) bytes += d.data.length;
    this.#chunks[0].data = this.#chunks[0].data.subarray(cut.at);
    this.#bytes -= bytes;
    this.#lfs -= cut.lfsBefore;
    return bytes;
  }

  /** Everything held, in order; the hold is empty afterwards. */
  take(): HeldChunk[] {
    const all = this.#chunks;
    this.#chunks = [];
    this.#lfs = 0;
    this.#bytes = 0;
    return all;
  }
}
