/**
 * Local echo prediction for slow links (mosh's idea; VS Code's terminal type-ahead does the same):
 * a printable key typed at a shell prompt is drawn at once where the shell will echo it, marked as
 * unconfirmed, and dropped from the prediction once the host's echo shows that very character in
 * that cell. DOM-free: the screen is read through `ScreenView`, what to draw is `shown`.
 *
 * Safety, as mosh does it: predictions come in epochs. Any key that is not a plain printable
 * character (Enter, Tab, arrows, Ctrl+…, a paste) starts a new epoch, and a new epoch's predictions
 * stay hidden until one of them is confirmed by the host's echo. So at a password prompt (echo off)
 * nothing typed is ever shown, and after a cursor move nothing is drawn in the wrong place. When
 * the shell marks its prompt (OSC 133 B), the epoch that starts there is trusted at once, and
 * between command start (C) and the next prompt nothing is predicted. Never on the alternate
 * screen (full-screen programs), never below MIN_RTT_MS (the real echo is as fast), and only for
 * someone who may type. A prediction the echo has not confirmed within dueMs is taken back.
 */

/** Below this round trip to the host the real echo comes soon enough: no prediction, ms. */
export const MIN_RTT_MS = 30;
/** Predictions outstanding at most (a longer unconfirmed run is taken back). */
export const MAX_PENDING = 64;
/** A prediction not confirmed within max(MIN_DUE_MS, DUE_RTTS × RTT) was wrong, ms. */
export const MIN_DUE_MS = 1_000;
export const DUE_RTTS = 4;

/** The part of the terminal's screen the predictor reads (rows are absolute buffer lines). */
export interface ScreenView {
  readonly cols: number;
  readonly cursorX: number;
  readonly cursorY: number;
  /** a full-screen program has switched to the alternate screen */
  readonly altScreen: boolean;
  /** the character in a cell; '' or ' ' when blank */
  cell(x: number, y: number): string;
}

export interface Prediction {
  ch: string;
  x: number;
  y: number;
  epoch: number;
  at: number;
}

export type PromptState = 'unknown' | 'prompt' | 'running';

const blank = (c: string) => c === '' || c === ' ';
/** One cell wide and printable: ASCII and the common alphabetic blocks (no wide or combining characters). */
const PREDICTABLE = /^[\x20-\x7e\u00a0-\u02ff\u0370-\u052f]$/;
const ERASE = new Set(['\x7f', '\b']);

export class EchoPredictor {
  /** predictions confirmed by the host's echo, and taken back (wrong or timed out) */
  readonly stats = { confirmed: 0, wrong: 0 };
  #now: () => number;
  #pending: Prediction[] = [];
  #epoch = 0;
  /** the newest epoch one of whose predictions the host confirmed */
  #trusted = -1;
  /** a backspace took back a prediction in this epoch: the screen may briefly show the erased character */
  #erasedInEpoch = -1;
  #rttMs: number | null = null;
  #canType = false;
  #prompt: PromptState = 'unknown';

  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
  }

  /** Predicting at all: someone who may type, over a link slower than MIN_RTT_MS. */
  get active(): boolean {
    return this.#canType && this.#rttMs !== null && this.#rttMs >= MIN_RTT_MS;
  }

  get pending(): readonly Prediction[] {
    return this.#pending;
  }

  /** What to draw: the predictions of trusted epochs (the older ones are confirmed first). */
  get shown(): readonly Prediction[] {
    return this.#pending.filter((p) => p.epoch <= this.#trusted);
  }

  /** When the oldest prediction is due (null: nothing pending), in `now()` time. */
  get dueAt(): number | null {
    return this.#pending.length ? this.#pending[0].at + this.#dueMs : null;
  }

  get #dueMs(): number {
    return Math.max(MIN_DUE_MS, DUE_RTTS * (this.#rttMs ?? 0));
  }

  /** The measured round trip to the host (null: not known yet). */
  setRtt(ms: number | null): void {
    this.#rttMs = ms;
    if (!this.active) this.reset();
  }

  /** Whether this person may type (viewers never predict). */
  setCanType(canType: boolean): void {
    this.#canType = canType;
    if (!this.active) this.reset();
  }

  /** The shell marked its prompt (OSC 133 B: the command line starts here) or a command's start (C). */
  mark(state: 'prompt' | 'running'): void {
    this.#prompt = state;
    this.#epoch++;
    // the cursor is where the shell will echo; nothing typed before it is still in flight
    if (state === 'prompt' && this.#pending.length === 0) this.#trusted = this.#epoch;
  }

  /** Drops every prediction (the screen is drawn from the host's output alone). */
  reset(): void {
    this.#pending = [];
    this.#epoch++;
  }

  /** Keystrokes this person typed, as sent to the host; `screen` as it is now. */
  input(data: string, screen: ScreenView): void {
    if (!this.active || screen.altScreen || this.#prompt === 'running') return this.reset();
    if (ERASE.has(data)) return this.#erase();
    if (!PREDICTABLE.test(data)) {
      this.#epoch++;
      return;
    }
    const last = this.#pending.at(-1);
    // after a new epoch began (a cursor move, Enter…), the position is known only once the screen caught up
    if (last && last.epoch !== this.#epoch) return;
    const x = last ? last.x + 1 : screen.cursorX;
    const y = last ? last.y : screen.cursorY;
    // not at the right margin (the shell's wrap is its own), and only where the line is empty to
    // the right: a cell that already shows the character must not count as its echo
    if (x >= screen.cols - 1 || this.#pending.length >= MAX_PENDING || !this.#blankFrom(screen, x, y)) {
      this.#epoch++;
      return;
    }
    this.#pending.push({ ch: data, x, y, epoch: this.#epoch, at: this.#now() });
  }

  #erase(): void {
    const last = this.#pending.at(-1);
    if (last && last.epoch === this.#epoch) {
      this.#pending.pop();
      this.#erasedInEpoch = this.#epoch;
    } else {
      this.#epoch++;
    }
  }

  #blankFrom(screen: ScreenView, x: number, y: number): boolean {
    for (let i = x; i < screen.cols; i++) if (!blank(screen.cell(i, y))) return false;
    return true;
  }

  /** The host's output was parsed into the screen: confirm what it echoed, take back what it contradicts. */
  parsed(screen: ScreenView): void {
    if (this.#pending.length === 0) return;
    if (screen.altScreen || !this.active) return this.#wrong();
    while (this.#pending.length) {
      const p = this.#pending[0];
      const c = screen.cell(p.x, p.y);
      // the cell was blank when predicted: only output can have put this character there
      if (c === p.ch) {
        this.#pending.shift();
        this.stats.confirmed++;
        if (p.epoch > this.#trusted) this.#trusted = p.epoch;
        continue;
      }
      // the cursor went past the cell and something else is there (an erased character's echo
      // can be there for a moment after a backspace: then only the due time decides)
      const past = screen.cursorY > p.y || (screen.cursorY === p.y && screen.cursorX > p.x);
      if (past && !blank(c) && this.#erasedInEpoch !== p.epoch) this.#wrong();
      break;
    }
    this.tick();
  }

  /** Takes back predictions that are due; call when `dueAt` has passed. */
  tick(): void {
    const due = this.dueAt;
    if (due !== null && this.#now() >= due) this.#wrong();
  }

  #wrong(): void {
    this.stats.wrong += this.#pending.length;
    this.reset();
  }
}
