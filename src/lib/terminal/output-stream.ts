/**
 * Receives one terminal's sequence-numbered output on a peer: applies a snapshot, then live
 * chunks strictly in order, skipping duplicates; on a gap it asks to resume from the missing seq
 * and ignores everything until that seq arrives (or a snapshot). After a reconnect,
 * `resumeFrom()` is what to ask the host for, so nothing is lost and nothing shown twice.
 *
 * Flow control: once the sink has parsed ACK_EVERY_BYTES more output (its write callbacks), and
 * after every snapshot, it acknowledges the last parsed seq, so the host can tell how far behind
 * this page's terminal is (terminal.ts, `ack`).
 */
import { ACK_EVERY_BYTES } from '../protocol/terminal.ts';

/** Where one terminal's output goes (an xterm in the page, or a test's buffer). A stable interface:
 * `window.__liveSessions.attachTerminal(id, sink)` takes one (README, "Console and benchmarks"). */
export interface TerminalSink {
  /**
   * Replace the screen with a serialized snapshot (screen + scrollback), dropping any output still
   * queued. `skipped`: the snapshot jumps over output this page never showed (it fell behind).
   */
  reset(snapshot: string, cols: number, rows: number, skipped?: boolean): void;
  /** Append live output; call `done` once the terminal parsed it (or dropped it for a snapshot):
   * until then it counts as this page's backlog, and the host stops streaming past a limit. */
  write(data: Uint8Array, done: () => void): void;
  /** the terminal size changed for everyone */
  resize(cols: number, rows: number): void;
}

export class OutputStream {
  #sink: TerminalSink;
  /** next seq to apply; null until the first snapshot */
  #next: number | null = null;
  #awaiting = false;
  #resync: (from: number) => void;
  #ack: (seq: number) => void;
  /** bytes parsed since the last ack */
  #unacked = 0;

  constructor(sink: TerminalSink, resync: (from: number) => void, ack: (seq: number) => void = () => {}) {
    this.#sink = sink;
    this.#resync = resync;
    this.#ack = ack;
  }

  /** What to put in term-sub: undefined asks for a snapshot. */
  resumeFrom(): number | undefined {
    return this.#next ?? undefined;
  }

  snapshot(seq: number, data: string, cols: number, rows: number): void {
    const skipped = this.#next !== null && seq >= this.#next;
    this.#sink.reset(data, cols, rows, skipped);
    this.#next = seq + 1;
    this.#awaiting = false;
    this.#unacked = 0;
    this.#ack(seq);
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
    this.#sink.write(data, () => {
      this.#unacked += data.length;
      if (this.#unacked >= ACK_EVERY_BYTES) {
        this.#unacked = 0;
        this.#ack(seq);
      }
      done?.();
    });
  }
}
