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
  /** bytes handed to xterm and not yet parsed */
  #pendingBytes = 0;
  /** write callbacks outstanding (chunks and resizes) */
  #queued = 0;
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

  get pendingBytes(): number {
    return this.#pendingBytes;
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

  /** after each chunk or resize is parsed (for flow control) */
  onParsed(cb: () => void): () => void {
    const sub = this.#parsed.on(cb);
    return () => sub.dispose();
  }

  write(seq: number, data: Uint8Array): void {
    if (this.#disposed) return;
    const clean = this.#boundary.feed(data);
    this.#writtenSeq = seq;
    this.#enqueue(data, () => {
      this.#parsedSeq = seq;
      this.#parsedClean = clean;
    });
  }

  /** Resizes in stream order, so earlier output is parsed at the size it was produced for. */
  resize(cols: number, rows: number): void {
    if (this.#disposed) return;
    this.#resizesQueued++;
    this.#enqueue(new Uint8Array(0), () => {
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
    if (this.#queued === 0 && this.#parsedClean) return Promise.resolve(this.#serialize(scrollback));
    return new Promise((resolve, reject) => {
      // a stream stalled inside a sequence, or one that never leaves it, must not hold a joiner back
      // forever: then the snapshot is taken anyway (best effort). The clock starts once the mirror
      // parsed what the snapshot must cover: a busy mirror still parsing a backlog is not a stream
      // stuck in a sequence (counting that time too took lossy snapshots under load, at whatever
      // chunk end came next — a UTF-8 character cut in two)
      let since = 0;
      const check = (): void => {
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
    for (const w of this.#waiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(new Error('The terminal was closed before its snapshot was ready.'));
    }
    this.#parsed.dispose();
    this.#title.dispose();
    this.#term.dispose();
  }

  #enqueue(data: Uint8Array, after: () => void): void {
    this.#queued++;
    this.#pendingBytes += data.length;
    this.#term.write(data, () => {
      this.#queued--;
      if (data.length) this.#last = null;
      this.#pendingBytes -= data.length;
      if (this.#disposed) return;
      after();
      this.#settle();
      this.#parsed.fire();
    });
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
