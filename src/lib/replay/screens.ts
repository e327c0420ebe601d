/**
 * The player's terminals: one ScreenBuffer per recorded terminal. The player writes into it at
 * any time; what it holds is passed on to the xterm that attaches (a TerminalView mounted later),
 * and from then on everything goes straight through.
 */
import type { TerminalSink } from '../terminal/output-stream.ts';

export class ScreenBuffer implements TerminalSink {
  cols: number;
  rows: number;
  #target: TerminalSink | null = null;
  #reset: string | null = null;
  #writes: Uint8Array[] = [];

  constructor(cols = 80, rows = 24) {
    this.cols = cols;
    this.rows = rows;
  }

  reset(snapshot: string, cols: number, rows: number): void {
    [this.cols, this.rows] = [cols, rows];
    if (this.#target) return this.#target.reset(snapshot, cols, rows);
    this.#reset = snapshot;
    this.#writes = [];
  }

  write(data: Uint8Array, done: () => void): void {
    if (this.#target) return this.#target.write(data, done);
    this.#writes.push(data);
    done();
  }

  resize(cols: number, rows: number): void {
    [this.cols, this.rows] = [cols, rows];
    this.#target?.resize(cols, rows);
  }

  /** Hands what is held to `sink`, then forwards; returns what detaches it. */
  attach(sink: TerminalSink): () => void {
    sink.reset(this.#reset ?? '', this.cols, this.rows);
    for (const w of this.#writes) sink.write(w, () => {});
    this.#reset = null;
    this.#writes = [];
    this.#target = sink;
    return () => {
      if (this.#target === sink) this.#target = null;
    };
  }

  /** Resolves once the attached terminal parsed everything written so far. */
  settled(): Promise<void> {
    const t = this.#target;
    return t ? new Promise((r) => t.write(new Uint8Array(0), r)) : Promise.resolve();
  }
}
