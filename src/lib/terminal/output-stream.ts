/**
 * Receives one terminal's sequence-numbered output on a peer: applies a snapshot, then live
 * chunks strictly in order, skipping duplicates; on a gap it asks to resume from the missing seq
 * and ignores everything until that seq arrives (or a snapshot). After a reconnect,
 * `resumeFrom()` is what to ask the host for, so nothing is lost and nothing shown twice.
 */
/** Where one terminal's output goes (an xterm in the page, or a test's buffer). A stable interface:
 * `window.__liveSessions.attachTerminal(id, sink)` takes one (README, "Console and benchmarks"). */
export interface TerminalSink {
  /** replace the screen with a serialized snapshot (screen + scrollback) */
  reset(snapshot: string, cols: number, rows: number): void;
  /** append live output; `done` fires once the terminal parsed it */
  write(data: Uint8Array, done?: () => void): void;
  /** the terminal size changed for everyone */
  resize(cols: number, rows: number): void;
}

export class OutputStream {
  #sink: TerminalSink;
  /** next seq to apply; null until the first snapshot */
  #next: number | null = null;
  #awaiting = false;
  #resync: (from: number) => void;

  constructor(sink: TerminalSink, resync: (from: number) => void) {
    this.#sink = sink;
    this.#resync = resync;
  }

  /** What to put in term-sub: undefined asks for a snapshot. */
  resumeFrom(): number | undefined {
    return this.#next ?? undefined;
  }

  snapshot(seq: number, data: string, cols: number, rows: number): void {
    this.#sink.reset(data, cols, rows);
    this.#next = seq + 1;
    this.#awaiting = false;
  }

  output(seq: number, data: Uint8Array, done?: () => void): void {
    if (this.#next === null || seq < this.#next) return;
    if (seq > this.#next) {
      if (!this.#awaiting) {
        this.#awaiting = true;
        this.#resync(this.#next);
      }
      return;
    }
    this.#awaiting = false;
    this.#next = seq + 1;
    this.#sink.write(data, done);
  }
}
