/**
 * The headless mirror's parser, as it runs inside the mirror's worker thread (mirror-worker.ts;
 * the host's side is mirror.ts): every output chunk is parsed by @xterm/headless, and a
 * snapshot serializes screen + scrollback at a moment when the mirror has parsed exactly the
 * chunks up to a known sequence number, at a clean VT boundary (see vt-boundary.ts).
 *
 * xterm's write() is asynchronous; its callback runs right after that chunk is parsed and before
 * the next one is, so serializing inside a write callback captures an exact prefix of the stream.
 */
import headless from '@xterm/headless';
import serializeAddon from '@xterm/addon-serialize';
import { MAX_MESSAGE_BYTES } from '../../src/lib/protocol/frames.ts';
import { Emitter } from '../../src/lib/mesh/events.ts';
import { VtBoundary } from './vt-boundary.ts';
import { linesToKeep, plainLineFeeds, PlainHold } from './plain-run.ts';

const { Terminal } = headless;
const { SerializeAddon } = serializeAddon;

export interface MirrorSnapshot {
  /** the last output chunk the snapshot includes (0 = none) */
  seq: number;
  cols: number;
  rows: number;
  /** serialized screen, scrollback and modes: write it into a fresh terminal of cols × rows */
  data: string;
}

/** How long a snapshot waits for a clean VT boundary once the mirror has nothing left to parse, ms. */
export const SNAPSHOT_SETTLE_MS = 250;
/** Longest a snapshot waits for a clean VT boundary while output keeps coming (e.g. an endless OSC string), ms. */
export const SNAPSHOT_MAX_WAIT_MS = 2000;
/** Plain output (plain-run.ts) is parsed once none came for this long, ms: a flood is parsed from
 * its last lines only, when it ends. Snapshots (a page's frames, 4 a second during a flood) and
 * any other output parse it at once, so nobody waits on this. */
export const PLAIN_HOLD_MS = 250;
/** Plain output held back is parsed once more than this is held after trimming, bytes (a flood
 * without line feeds cannot be trimmed): a little below the PTY's flow-control mark (1 MiB), so
 * the lines a 5000-line scrollback keeps fit when they are shorter than ~170 bytes. */
export const PLAIN_HOLD_MAX_BYTES = 896 * 1024;
/** Largest snapshot once JSON-encoded in a control message, bytes; older scrollback is dropped to fit. */
export const SNAPSHOT_MAX_JSON_BYTES = MAX_MESSAGE_BYTES - 64 * 1024;

interface Waiter {
  resolve: (s: MirrorSnapshot) => void;
  reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout>;
  forced: boolean;
  /** the snapshot covers at least the output written before it was asked for */
  minSeq: number;
  /** scrollback lines to include */
  scrollback: number;
}

export class MirrorCore {
  #term: InstanceType<typeof Terminal>;
  #serializer: InstanceType<typeof SerializeAddon>;
  #boundary = new VtBoundary();
  #scrollback: number;
  /** output bytes written to the mirror */
  #writtenBytes = 0;
  /** output bytes parsed, or skipped as a plain run's invisible front */
  #doneBytes = 0;
  #skippedBytes = 0;
  /** write callbacks outstanding (chunks and resizes) */
  #queued = 0;
  /** of them, those that may change the terminal's modes (anything but plain output) */
  #queuedOther = 0;
  /** plain output held back (see PLAIN_HOLD_MS) */
  #hold = new PlainHold();
  #holdTimer: ReturnType<typeof setTimeout> | null = null;
  /** resizes queued behind output: a snapshot waits for them so it carries the current size */
  #resizesQueued = 0;
  #parsedSeq = 0;
  #writtenSeq = 0;
  #parsedClean = true;
  #waiters: Waiter[] = [];
  /** the last snapshot made, reused while nothing was parsed since (pages ask at the same moment) */
  #last: { scrollback: number; snap: MirrorSnapshot } | null = null;
  #disposed = false;
  #parsed = new Emitter<void>();
  #title = new Emitter<string>();

  #settleMs: number;
  #maxWaitMs: number;

  /** `timing`: SNAPSHOT_SETTLE_MS and SNAPSHOT_MAX_WAIT_MS unless given (tests) */
  constructor(cols: number, rows: number, scrollback: number, timing: { settleMs?: number; maxWaitMs?: number } = {}) {
    this.#scrollback = scrollback;
    this.#settleMs = timing.settleMs ?? SNAPSHOT_SETTLE_MS;
    this.#maxWaitMs = timing.maxWaitMs ?? SNAPSHOT_MAX_WAIT_MS;
    this.#term = new Terminal({ cols, rows, scrollback, allowProposedApi: true });
    this.#serializer = new SerializeAddon();
    this.#term.loadAddon(this.#serializer as never);
    this.#term.onTitleChange((t) => this.#title.fire(t));
  }

  /** Output bytes written and not yet parsed (or skipped). */
  get pendingBytes(): number {
    return this.#writtenBytes - this.#doneBytes;
  }

  /** Output bytes never parsed because they could not show (plain-run.ts). */
  get skippedBytes(): number {
    return this.#skippedBytes;
  }

  /** Output bytes parsed or skipped so far. */
  get parsedBytes(): number {
    return this.#doneBytes;
  }

  /** seq of the last chunk parsed */
  get parsedSeq(): number {
    return this.#parsedSeq;
  }

  get cols(): number {
    return this.#term.cols;
  }

  get rows(): number {
    return this.#term.rows;
  }

  /**
   * The mirror's answers to the program's terminal queries (device attributes, cursor position,
   * mode reports…). The host writes them to the PTY: one answer per query, from the one screen
   * state everybody shares, whether zero or ten browsers are watching.
   */
  onReply(cb: (data: string) => void): () => void {
    const sub = this.#term.onData(cb);
    return () => sub.dispose();
  }

  /** OSC 0 / OSC 2 title, as parsed */
  onTitle(cb: (title: string) => void): () => void {
    const sub = this.#title.on(cb);
    return () => sub.dispose();
  }

  /** after each chunk or resize is parsed, and after a plain run's front was skipped (for flow control) */
  onParsed(cb: () => void): () => void {
    const sub = this.#parsed.on(cb);
    return () => sub.dispose();
  }

  write(seq: number, data: Uint8Array): void {
    if (this.#disposed) return;
    // plain only if it starts outside any sequence: "1mhello" may end an escape sequence
    const lfs = this.#boundary.clean ? plainLineFeeds(data) : -1;
    const clean = this.#boundary.feed(data);
    this.#writtenSeq = seq;
    this.#writtenBytes += data.length;
    if (lfs >= 0) return this.#holdPlain(seq, data, lfs);
    this.#flush();
    this.#enqueue(seq, data, clean, true);
  }

  /** Resizes in stream order, so earlier output is parsed at the size it was produced for. */
  resize(cols: number, rows: number): void {
    if (this.#disposed) return;
    this.#flush();
    this.#resizesQueued++;
    this.#queuedOther++;
    this.#enqueueRaw(new Uint8Array(0), () => {
      this.#queuedOther--;
      this.#resizesQueued--;
      this.#term.resize(cols, rows);
      this.#last = null;
    });
  }

  /** `screenOnly`: without scrollback (a page skipping ahead mid-burst needs the screen, cheaply:
   * ~1 ms instead of ~35 ms for 5000 lines of scrollback) */
  snapshot(opts: { screenOnly?: boolean } = {}): Promise<MirrorSnapshot> {
    if (this.#disposed) return Promise.reject(new Error('The terminal is closed; there is nothing to snapshot.'));
    const scrollback = opts.screenOnly ? 0 : this.#scrollback;
    this.#flush();
    if (this.#queued === 0 && this.#parsedClean) return Promise.resolve(this.#serialize(scrollback));
    return new Promise((resolve, reject) => {
      // a stream stalled inside a sequence, or one that never leaves it, must not hold a joiner back
      // forever: then the snapshot is taken anyway (best effort). The clock starts once the mirror
      // parsed what the snapshot must cover: a busy mirror still parsing a backlog is not a stream
      // stuck in a sequence (counting that time too took lossy snapshots under load, at whatever
      // chunk end came next — a UTF-8 character cut in two)
      let since = 0;
      const check = (): void => {
        this.#flush();
        if (this.#parsedSeq < w.minSeq) {
          w.timer = setTimeout(check, this.#settleMs);
          return;
        }
        since ||= Date.now();
        if (this.#queued === 0 || Date.now() - since >= this.#maxWaitMs) {
          w.forced = true;
          if (this.#queued === 0) this.#settle();
        } else {
          w.timer = setTimeout(check, this.#settleMs);
        }
      };
      const w: Waiter = { resolve, reject, forced: false, minSeq: this.#writtenSeq, scrollback, timer: setTimeout(check, this.#settleMs) };
      this.#waiters.push(w);
    });
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    if (this.#holdTimer) clearTimeout(this.#holdTimer);
    for (const w of this.#waiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(new Error('The terminal was closed before its snapshot was ready.'));
    }
    this.#parsed.dispose();
    this.#title.dispose();
    this.#term.dispose();
  }

  /** Output to parse; `other`: not a plain run (it may change modes, see #trim). */
  #enqueue(seq: number, data: Uint8Array, clean: boolean, other: boolean): void {
    if (other) this.#queuedOther++;
    this.#enqueueRaw(data, () => {
      if (other) this.#queuedOther--;
      this.#doneBytes += data.length;
      this.#parsedSeq = seq;
      this.#parsedClean = clean;
    });
  }

  #enqueueRaw(data: Uint8Array, after: () => void): void {
    this.#queued++;
    this.#term.write(data, () => {
      this.#queued--;
      if (data.length) this.#last = null;
      if (this.#disposed) return;
      after();
      this.#settle();
      this.#parsed.fire();
    });
  }

  #holdPlain(seq: number, data: Uint8Array, lfs: number): void {
    this.#hold.push(seq, data, lfs);
    // trimmed in steps of an eighth of the lines kept (each step scans about what it drops)
    const keep = linesToKeep(this.#term.rows, this.#scrollback);
    if (this.#hold.lineFeeds >= keep + (keep >> 3) || this.#hold.bytes > PLAIN_HOLD_MAX_BYTES) this.#trim(keep);
    if (this.#hold.bytes > PLAIN_HOLD_MAX_BYTES) return this.#flush();
    if (this.#holdTimer) clearTimeout(this.#holdTimer);
    this.#holdTimer = setTimeout(() => this.#onHoldTimer(), PLAIN_HOLD_MS);
  }

  #onHoldTimer(): void {
    this.#holdTimer = null;
    // output that may change the modes is still being parsed: the run cannot be trimmed yet
    if (this.#queuedOther > 0 && this.#hold.lineFeeds >= linesToKeep(this.#term.rows, this.#scrollback)) {
      this.#holdTimer = setTimeout(() => this.#onHoldTimer(), PLAIN_HOLD_MS);
      return;
    }
    this.#flush();
  }

  /** Drops the held run's front that cannot show (plain-run.ts): only while nothing queued may
   * still change the modes and the scroll region is the whole screen. */
  #trim(keep: number): void {
    if (this.#queuedOther > 0) return;
    const buf = (this.#term as unknown as { _core: { buffer: { scrollTop: number; scrollBottom: number } } })._core.buffer;
    if (buf.scrollTop !== 0 || buf.scrollBottom !== this.#term.rows - 1) return;
    const skipped = this.#hold.trim(keep);
    if (skipped === 0) return;
    this.#doneBytes += skipped;
    this.#skippedBytes += skipped;
    this.#parsed.fire();
  }

  /** Hands the held plain run (trimmed) to the parser. */
  #flush(): void {
    if (this.#holdTimer) clearTimeout(this.#holdTimer);
    this.#holdTimer = null;
    if (this.#hold.length === 0 || this.#disposed) return;
    this.#trim(linesToKeep(this.#term.rows, this.#scrollback));
    for (const c of this.#hold.take()) this.#enqueue(c.seq, c.data, true, false);
  }

  /** Serves the waiting snapshots that the mirror's state now satisfies. */
  #settle(): void {
    if (this.#waiters.length === 0) return;
    const exact = this.#parsedClean && this.#resizesQueued === 0;
    const ready = this.#waiters.filter((w) => this.#parsedSeq >= w.minSeq && (exact || w.forced));
    if (ready.length === 0) return;
    this.#waiters = this.#waiters.filter((w) => !ready.includes(w));
    const snaps = new Map<number, MirrorSnapshot>();
    for (const w of ready) {
      clearTimeout(w.timer);
      let snap = snaps.get(w.scrollback);
      if (!snap) snaps.set(w.scrollback, (snap = this.#serialize(w.scrollback)));
      w.resolve(snap);
    }
  }

  #serialize(scrollback: number): MirrorSnapshot {
    if (this.#last?.scrollback === scrollback) return this.#last.snap;
    const snap = this.#make(scrollback);
    this.#last = { scrollback, snap };
    return snap;
  }

  #make(scrollback: number): MirrorSnapshot {
    let data = this.#serializer.serialize({ scrollback });
    // JSON makes at most 6 bytes of a character (\u001b): most snapshots skip the exact measure,
    // which took as long as serializing
    while (scrollback > 0 && data.length * 6 > SNAPSHOT_MAX_JSON_BYTES && Buffer.byteLength(JSON.stringify(data)) > SNAPSHOT_MAX_JSON_BYTES) {
      scrollback = Math.floor(scrollback / 2);
      data = this.#serializer.serialize({ scrollback });
    }
    return { seq: this.#parsedSeq, cols: this.#term.cols, rows: this.#term.rows, data };
  }
}
