/**
 * The headless mirror of one terminal, as the host's main thread sees it: output chunks go (in
 * stream order, numbered) to the mirrors' worker thread that parses them (mirror-worker.ts,
 * MirrorCore; one thread for every terminal of the process, started with the first); a
 * snapshot is asked of the worker and reflects exactly the chunks up to its `seq`, at least all
 * written before it was asked for. `pendingBytes` (written, not yet parsed) drives the PTY's flow
 * control as before.
 */
import { Worker } from 'node:worker_threads';
import { Emitter } from '../../src/lib/mesh/events.ts';
import type { MirrorSnapshot } from './mirror-core.ts';
import type { FromMirror, ToMirror } from './mirror-worker.ts';

export { SNAPSHOT_MAX_JSON_BYTES, SNAPSHOT_MAX_WAIT_MS, SNAPSHOT_SETTLE_MS, type MirrorSnapshot } from './mirror-core.ts';

/** Largest batch of output posted to the mirrors' thread at once, bytes. */
const MAX_BATCH_BYTES = 256 * 1024;

interface Pending {
  resolve: (s: MirrorSnapshot) => void;
  reject: (e: Error) => void;
}

/** The mirrors' thread, shared by the terminals that use it; ended with the last one. */
class MirrorThread {
  static #current: MirrorThread | null = null;
  #worker: Worker;
  #mirrors = new Map<number, TerminalMirror>();
  #next = 1;

  static join(m: TerminalMirror): { thread: MirrorThread; id: number } {
    const thread = (MirrorThread.#current ??= new MirrorThread());
    const id = thread.#next++;
    thread.#mirrors.set(id, m);
    return { thread, id };
  }

  constructor() {
    this.#worker = new Worker(new URL('./mirror-worker.ts', import.meta.url));
    // the mirrors never keep the host alive
    this.#worker.unref();
    this.#worker.on('message', (m: FromMirror) => this.#mirrors.get(m.mirror)?.receive(m));
    this.#worker.on('error', (e) => {
      if (MirrorThread.#current === this) MirrorThread.#current = null;
      const why = `The terminal's mirror failed (${e.message}); snapshots are unavailable until the terminal is reopened.`;
      for (const m of this.#mirrors.values()) m.fail(why);
      this.#mirrors.clear();
    });
  }

  post(m: ToMirror, transfer?: ArrayBuffer[]): void {
    this.#worker.postMessage(m, transfer);
  }

  leave(id: number): void {
    if (!this.#mirrors.delete(id)) return;
    this.post({ t: 'close', mirror: id });
    if (this.#mirrors.size) return;
    if (MirrorThread.#current === this) MirrorThread.#current = null;
    void this.#worker.terminate();
  }
}

export class TerminalMirror {
  #thread: MirrorThread;
  #id: number;
  #cols: number;
  #rows: number;
  #writtenBytes = 0;
  #parsedBytes = 0;
  #parsedSeq = 0;
  #snaps = new Map<number, Pending>();
  #nextSnap = 1;
  /** chunks written this turn, posted together at its end (setImmediate) or once this grows past
   * MAX_BATCH_BYTES: one message per 16-KiB chunk cost the host's main thread ~10 ms per MB of a
   * flood in postMessage alone, the thread that reads the PTY */
  #batch: { seqs: number[]; parts: Uint8Array[]; bytes: number } | null = null;
  /** why the worker is gone (closed, or crashed), once it is */
  #gone: string | null = null;
  #parsed = new Emitter<void>();
  #title = new Emitter<string>();
  #reply = new Emitter<string>();

  constructor(cols: number, rows: number, scrollback: number) {
    this.#cols = cols;
    this.#rows = rows;
    const { thread, id } = MirrorThread.join(this);
    this.#thread = thread;
    this.#id = id;
    thread.post({ t: 'open', mirror: id, cols, rows, scrollback });
  }

  /** Bytes written and not yet parsed. */
  get pendingBytes(): number {
    return this.#writtenBytes - this.#parsedBytes;
  }

  /** seq of the last chunk parsed */
  get parsedSeq(): number {
    return this.#parsedSeq;
  }

  /** the size output is being parsed at from now on */
  get cols(): number {
    return this.#cols;
  }

  get rows(): number {
    return this.#rows;
  }

  /** The mirror's answers to the program's terminal queries (see MirrorCore.onReply): the host writes them to the PTY. */
  onReply(cb: (data: string) => void): () => void {
    const sub = this.#reply.on(cb);
    return () => sub.dispose();
  }

  /** OSC 0 / OSC 2 title, as parsed */
  onTitle(cb: (title: string) => void): () => void {
    const sub = this.#title.on(cb);
    return () => sub.dispose();
  }

  /** after chunks were parsed (for flow control) */
  onParsed(cb: () => void): () => void {
    const sub = this.#parsed.on(cb);
    return () => sub.dispose();
  }

  write(seq: number, data: Uint8Array): void {
    if (this.#gone) return;
    this.#writtenBytes += data.length;
    let b = this.#batch;
    if (!b) {
      this.#batch = b = { seqs: [], parts: [], bytes: 0 };
      setImmediate(() => this.#post());
    }
    b.seqs.push(seq);
    b.parts.push(data);
    b.bytes += data.length;
    if (b.bytes >= MAX_BATCH_BYTES) this.#post();
  }

  /** Posts the chunks written so far, in one message: before anything else is posted, so the
   * thread sees everything in stream order. */
  #post(): void {
    const b = this.#batch;
    if (!b) return;
    this.#batch = null;
    // a copy of just these bytes, handed over (the chunks stay in the ring and go to peers; a
    // view's whole buffer would be cloned otherwise)
    const data = new Uint8Array(b.bytes);
    const lens: number[] = [];
    let at = 0;
    for (const p of b.parts) {
      data.set(p, at);
      at += p.length;
      lens.push(p.length);
    }
    this.#thread.post({ t: 'write', mirror: this.#id, seqs: b.seqs, lens, data }, [data.buffer]);
  }

  /** Resizes in stream order, so earlier output is parsed at the size it was produced for. */
  resize(cols: number, rows: number): void {
    if (this.#gone) return;
    this.#post();
    this.#cols = cols;
    this.#rows = rows;
    this.#thread.post({ t: 'resize', mirror: this.#id, cols, rows });
  }

  /** `screenOnly`: without scrollback (a page skipping ahead mid-burst needs the screen, cheaply) */
  snapshot(opts: { screenOnly?: boolean } = {}): Promise<MirrorSnapshot> {
    if (this.#gone) return Promise.reject(new Error(this.#gone));
    const id = this.#nextSnap++;
    this.#post();
    return new Promise((resolve, reject) => {
      this.#snaps.set(id, { resolve, reject });
      this.#thread.post({ t: 'snapshot', mirror: this.#id, id, screenOnly: !!opts.screenOnly });
    });
  }

  dispose(): void {
    if (this.#gone) return;
    this.#gone = 'The terminal is closed; there is nothing to snapshot.';
    this.#batch = null;
    this.#rejectAll('The terminal was closed before its snapshot was ready.');
    this.#thread.leave(this.#id);
    this.#parsed.dispose();
    this.#title.dispose();
    this.#reply.dispose();
  }

  /** A message of the thread for this mirror. */
  receive(m: FromMirror): void {
    if (this.#gone) return;
    switch (m.t) {
      case 'parsed':
        this.#parsedSeq = m.seq;
        this.#parsedBytes = m.bytes;
        return this.#parsed.fire();
      case 'reply':
        return this.#reply.fire(m.data);
      case 'title':
        return this.#title.fire(m.title);
      case 'snapshot':
      case 'failed': {
        const p = this.#snaps.get(m.id);
        this.#snaps.delete(m.id);
        if (m.t === 'failed') return p?.reject(new Error(m.message));
        return p?.resolve({ seq: m.seq, cols: m.cols, rows: m.rows, data: m.data });
      }
    }
  }

  /** The thread crashed: snapshots fail from now on, and nothing is pending (the PTY must not stay paused). */
  fail(why: string): void {
    if (this.#gone) return;
    this.#gone = why;
    this.#batch = null;
    this.#rejectAll(why);
    this.#parsedBytes = this.#writtenBytes;
    this.#parsed.fire();
  }

  #rejectAll(why: string): void {
    for (const p of this.#snaps.values()) p.reject(new Error(why));
    this.#snaps.clear();
  }
}
