/**
 * Feeds one terminal's output into xterm.js with flow control (xterm's flow-control guide:
 * watermarks and write callbacks). xterm queues whatever `write` gets and, past 50 MB, discards
 * data; and a queued write cannot be taken back. So the feed hands xterm at most XTERM_WINDOW_BYTES
 * at a time and keeps the rest itself, where a newer snapshot can replace it: `reset` drops what
 * is still queued, waits for the little xterm has in hand, and then resets the screen.
 * DOM-free (xterm is behind `FeedTarget`), so it is tested in Node.
 */
import type { TerminalSink } from './output-stream.ts';

/** Unparsed output xterm holds at most, bytes. xterm never idles for it being small: the write
 * callback that frees room hands the next piece over inside xterm's own parsing loop. A snapshot
 * waits for what xterm holds, and short lines cost xterm ~40 µs each (scrolling, its scrollbar),
 * so 256 KiB of `seq` held a snapshot back 1-2 s on a slow page, and 32 KiB still 0.2 s of CPU
 * (0.8 s on a page at a quarter of a core). */
export const XTERM_WINDOW_BYTES = 8 * 1024;
/** Output is handed to xterm in pieces of at most this, bytes, so the window is never overshot by
 * a whole (16 KiB) chunk: a piece is what a snapshot may have to wait for. */
export const XTERM_PIECE_BYTES = 4 * 1024;

/** The part of xterm's Terminal the feed drives. */
export interface FeedTarget {
  readonly cols: number;
  readonly rows: number;
  write(data: Uint8Array | string, parsed: () => void): void;
  reset(): void;
  resize(cols: number, rows: number): void;
}

interface Queued {
  data: Uint8Array;
  done: () => void;
  /** bytes of it already handed to xterm */
  at: number;
}

export class XtermFeed implements TerminalSink {
  #target: FeedTarget;
  #onSkipped: () => void;
  #queue: Queued[] = [];
  #head = 0;
  /** handed to xterm, not yet parsed, bytes */
  #inXterm = 0;
  #pendingReset: { snapshot: string; cols: number; rows: number } | null = null;
  #disposed = false;

  /** `onSkipped`: a snapshot jumped over output this page never showed */
  constructor(target: FeedTarget, onSkipped: () => void = () => {}) {
    this.#target = target;
    this.#onSkipped = onSkipped;
  }

  /** Output received and not yet parsed (queued here and in xterm), bytes. */
  get backlog(): number {
    let queued = 0;
    for (let i = this.#head; i < this.#queue.length; i++) queued += this.#queue[i].data.length - this.#queue[i].at;
    return queued + this.#inXterm;
  }

  write(data: Uint8Array, done: () => void = () => {}): void {
    if (this.#disposed) return;
    this.#queue.push({ data, done, at: 0 });
    this.#pump();
  }

  reset(snapshot: string, cols: number, rows: number, skipped = false): void {
    if (this.#disposed) return;
    const dropped = this.#queue.slice(this.#head);
    this.#queue = [];
    this.#head = 0;
    this.#pendingReset = { snapshot, cols, rows };
    if (skipped || dropped.length) this.#onSkipped();
    for (const q of dropped) q.done();
    if (this.#inXterm === 0) this.#applyReset();
  }

  resize(cols: number, rows: number): void {
    if (!this.#disposed && (cols !== this.#target.cols || rows !== this.#target.rows)) this.#target.resize(cols, rows);
  }

  #applyReset(): void {
    const r = this.#pendingReset;
    if (!r) return;
    this.#pendingReset = null;
    this.#target.reset();
    this.resize(r.cols, r.rows);
    this.#hand(r.snapshot, r.snapshot.length, () => {});
  }

  #pump(): void {
    while (!this.#pendingReset && this.#head < this.#queue.length && this.#inXterm < XTERM_WINDOW_BYTES) {
      const q = this.#queue[this.#head];
      const end = Math.min(q.data.length, q.at + XTERM_PIECE_BYTES);
      const piece = q.at === 0 && end === q.data.length ? q.data : q.data.subarray(q.at, end);
      q.at = end;
      // the chunk is done once its last piece is parsed (a snapshot drops the rest: done then)
      if (end < q.data.length) {
        this.#hand(piece, piece.length, () => {});
        continue;
      }
      this.#queue[this.#head++] = undefined as unknown as Queued; // let it be collected
      this.#hand(piece, piece.length, q.done);
    }
    if (this.#head === this.#queue.length) {
      this.#queue = [];
      this.#head = 0;
    }
  }

  #hand(data: Uint8Array | string, bytes: number, done: () => void): void {
    this.#inXterm += bytes;
    this.#target.write(data, () => {
      this.#inXterm -= bytes;
      done();
      if (this.#disposed) return;
      if (this.#inXterm === 0) this.#applyReset();
      this.#pump();
    });
  }

  dispose(): void {
    this.#disposed = true;
    this.#queue = [];
    this.#pendingReset = null;
  }
}
