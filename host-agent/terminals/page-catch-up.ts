/**
 * A page that fell behind on one terminal (it has not parsed what it got: PageBacklog), or whose
 * terminal floods (more than FLOOD_BYTES in a frame's time), as the hub handles it: no live output (mosh's idea: the screen's state matters, not every byte). While
 * output keeps coming fast it sees a frame of the screen every PAGE_FRAME_MS (once it parsed the
 * last), and is streamed live again once the terminal's output slows below PAGE_LIVE_BYTES per
 * frame. As soon as the terminal has been quiet for the idle time it gets the screen (a few KiB),
 * so the end of a burst shows at once on every page, a slow one too; once it stayed quiet for
 * PAGE_FRAME_MS more, the full snapshot with scrollback (hundreds of KiB to serialize, send and
 * parse), and live output again. Every snapshot replaces whatever the page still had queued
 * (TerminalClient, XtermFeed).
 */

/** A page this far behind (sent, not yet parsed) stops receiving live output, bytes: 50–100 ms of
 * parsing for the page's xterm (far below xterm's 50 MB discard limit); more only costs the page
 * CPU that the host (on the same machine, often) needs to keep up with the PTY. */
export const PAGE_HIGH_WATER_BYTES = 256 * 1024;
/** …and gets a snapshot once it parsed down to this, bytes (above ACK_EVERY_BYTES + MARK_BYTES). */
export const PAGE_LOW_WATER_BYTES = 128 * 1024;
/** A page that is behind gets the screen once the terminal was quiet this long, ms. */
export const PAGE_IDLE_SNAPSHOT_MS = 30;
/** While output keeps coming, a page that is behind sees the screen this often (a snapshot of the
 * screen alone, a few KiB), ms. Parsing the flood would take the page's CPU, which the host (on
 * the same machine, often) needs to keep up with the PTY, for bytes nobody can read anyway. */
export const PAGE_FRAME_MS = 250;
/** A page that is behind goes live again once the terminal wrote less than this in a frame's
 * time, bytes (≈ 64 KB/s, a quarter of FLOOD_BYTES: a page keeps up from there). */
export const PAGE_LIVE_BYTES = 16 * 1024;

/** A terminal that writes more than this within PAGE_FRAME_MS floods, bytes (≈ 256 KB/s, some
 * 3000 lines a second): its pages get frames of the screen and a snapshot at the end instead of
 * every byte, even pages that could parse it all. Parsing a 50 MB flood took each page 3-5 s of
 * CPU, taken from the host and the program on a shared machine, for bytes nobody can read at that
 * speed; and a page's xterm spends ~40 µs per short line (scrolling, its scrollbar), so the 256 KiB
 * this was before (`seq`: 37 000 lines) held every page's final screen back 1-2 s. The host's
 * record keeps every byte. */
export const FLOOD_BYTES = 64 * 1024;

/** One terminal's output so far, and whether it floods now. */
export class OutputMeter {
  /** bytes so far */
  total = 0;
  #windowAt = -Infinity;
  #windowBytes = 0;

  /** Counts a chunk; returns whether the terminal writes more than FLOOD_BYTES in PAGE_FRAME_MS. */
  add(bytes: number, now = performance.now()): boolean {
    this.total += bytes;
    if (now - this.#windowAt > PAGE_FRAME_MS) {
      this.#windowAt = now;
      this.#windowBytes = 0;
    }
    this.#windowBytes += bytes;
    return this.#windowBytes > FLOOD_BYTES;
  }
}

/** What the hub lends a page that is behind. */
export interface BehindPageHost {
  /** the terminal's output so far, bytes */
  outBytes(): number;
  /** the page's unparsed backlog, bytes */
  backlog(): number;
  /** the terminal's PTY is paused while the host's mirror catches up: more output is coming */
  flowPaused(): boolean;
  /** sends the page the current screen (without scrollback); settles once it is sent or failed.
   * `idle`: the terminal went quiet (the page is brought to the present), else a frame mid-burst */
  frame(idle: boolean): Promise<void>;
  /** brings the page back with a snapshot (`screenOnly` while output goes on, slowly) */
  catchUp(screenOnly: boolean): void;
}

export class BehindPage {
  #host: BehindPageHost;
  #idleMs: number;
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  /** the terminal's last output, performance.now() */
  #outputAt = 0;
  /** after the idle frame: the full snapshot if the terminal stays quiet */
  #settleTimer: ReturnType<typeof setTimeout> | undefined;
  #frameTimer: ReturnType<typeof setInterval>;
  /** the terminal's output count at the last frame tick */
  #tickBytes: number;
  /** frame ticks in a row in which the terminal wrote less than PAGE_LIVE_BYTES */
  #slowTicks = 0;
  /** a screen frame is being made */
  #framing = false;
  #done = false;

  /** `idleMs`: how long the terminal must be quiet before the page's snapshot; `frameNow`: the
   * terminal floods: the screen at once, so the page drops the output it still has queued (up to
   * FLOOD_BYTES: ~0.35 s of a page's CPU for `seq`'s short lines) instead of parsing it while the
   * host and the program need that CPU */
  constructor(host: BehindPageHost, idleMs: number, frameNow = false) {
    this.#host = host;
    this.#idleMs = idleMs;
    this.#tickBytes = host.outBytes();
    this.#frameTimer = setInterval(() => this.#frameTick(), PAGE_FRAME_MS);
    this.output();
    if (frameNow && host.backlog() <= PAGE_LOW_WATER_BYTES) this.#frame();
  }

  /** The terminal wrote more: the quiet-terminal clock starts again. Called for every output
   * chunk of every page that is behind (thousands a second in a flood), so it only notes the time:
   * the one pending timer checks it when it fires. */
  output(): void {
    if (this.#done) return;
    this.#outputAt = performance.now();
    if (this.#settleTimer) {
      clearTimeout(this.#settleTimer);
      this.#settleTimer = undefined;
    }
    this.#idleTimer ??= setTimeout(() => this.#quietCheck(), this.#idleMs);
  }

  #quietCheck(): void {
    const quiet = performance.now() - this.#outputAt;
    this.#idleTimer = quiet < this.#idleMs ? setTimeout(() => this.#quietCheck(), this.#idleMs - quiet) : undefined;
    if (!this.#idleTimer) this.#idle();
  }

  dispose(): void {
    this.#done = true;
    clearTimeout(this.#idleTimer);
    clearTimeout(this.#settleTimer);
    clearInterval(this.#frameTimer);
  }

  /** Quiet for the idle time: most likely the burst's end. The screen at once (even while a frame
   * is on its way: that one may predate the end), the rest once it stays quiet. */
  #idle(): void {
    // a PTY paused while the host's mirror catches up is not a quiet terminal: more is coming
    if (this.#host.flowPaused()) return this.output();
    void this.#host.frame(true);
    this.#settleTimer = setTimeout(() => this.#catchUp(false), PAGE_FRAME_MS);
  }

  /** Every PAGE_FRAME_MS (once the page parsed what it got): live again when the output slowed
   * down, else the current screen. */
  #frameTick(): void {
    const total = this.#host.outBytes();
    const written = total - this.#tickBytes;
    this.#tickBytes = total;
    // quiet since the idle frame: the full snapshot is due, no frame needed
    if (this.#done || this.#framing || this.#settleTimer || this.#host.backlog() > PAGE_LOW_WATER_BYTES) return;
    // two slow frames in a row: one can be a stall of a busy machine in the middle of a burst
    this.#slowTicks = written < PAGE_LIVE_BYTES ? this.#slowTicks + 1 : 0;
    if (this.#slowTicks >= 2) return this.#catchUp(true);
    this.#frame();
  }

  #frame(): void {
    this.#framing = true;
    void this.#host.frame(false).finally(() => (this.#framing = false));
  }

  #catchUp(screenOnly: boolean): void {
    this.dispose();
    this.#host.catchUp(screenOnly);
  }
}
