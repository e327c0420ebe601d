/**
 * A terminal that nobody looks at: xterm parses the recorded output into it, and `serialize`
 * gives its screen and scrollback for a keyframe. The Terminal class is injected: the page passes
 * xterm.js's own (never opened, so it draws nothing and adds nothing to the bundle), Node tests
 * @xterm/headless's; both take the serialize addon.
 */
import type { TerminalSink } from '../terminal/output-stream.ts';

/** What we use of xterm's Terminal (@xterm/xterm and @xterm/headless both have it). */
export interface XtermLike {
  readonly cols: number;
  readonly rows: number;
  write(data: string | Uint8Array, cb?: () => void): void;
  resize(cols: number, rows: number): void;
  reset(): void;
  loadAddon(addon: never): void;
  dispose(): void;
}
export interface SerializerLike {
  serialize(opts?: { scrollback?: number }): string;
}
export interface XtermKit {
  Terminal: new (o: { cols: number; rows: number; scrollback: number; allowProposedApi: boolean }) => XtermLike;
  SerializeAddon: new () => SerializerLike;
}

/** Scrollback a keyframe keeps, lines: enough to scroll back through, small enough to store often
 * and to parse on every seek (the output after the keyframe adds to it). */
export const KEYFRAME_SCROLLBACK_LINES = 250;

export class TermModel implements TerminalSink {
  #t: XtermLike;
  #ser: SerializerLike;

  constructor(kit: XtermKit, cols = 80, rows = 24) {
    this.#t = new kit.Terminal({ cols, rows, scrollback: KEYFRAME_SCROLLBACK_LINES, allowProposedApi: true });
    this.#ser = new kit.SerializeAddon();
    this.#t.loadAddon(this.#ser as never);
  }

  get cols(): number {
    return this.#t.cols;
  }
  get rows(): number {
    return this.#t.rows;
  }

  reset(snapshot: string, cols: number, rows: number): void {
    this.#t.reset();
    if (cols !== this.#t.cols || rows !== this.#t.rows) this.#t.resize(cols, rows);
    this.#t.write(snapshot);
  }

  write(data: Uint8Array, done?: () => void): void {
    this.#t.write(data, done);
  }

  resize(cols: number, rows: number): void {
    if (cols !== this.#t.cols || rows !== this.#t.rows) this.#t.resize(cols, rows);
  }

  /** Resolves once everything written so far is parsed. */
  settled(): Promise<void> {
    return new Promise((r) => this.#t.write('', r));
  }

  serialize(): string {
    return this.#ser.serialize({ scrollback: KEYFRAME_SCROLLBACK_LINES });
  }

  dispose(): void {
    this.#t.dispose();
  }
}
