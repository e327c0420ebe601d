/**
 * The authoritative record on the box: one asciicast per terminal beside the session's audit log,
 * in the record directory. The casts are written by a worker thread (cast-worker.ts, one per
 * process: cast-thread.ts): this side only hands it what the terminals print. A host started again in the same directory continues the
 * newest earlier audit log's chain (its last verified hash), so the logs of one box form one chain.
 */
import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { TerminalSet } from '../terminals/terminal-set.ts';
import { now } from './asciicast.ts';
import { attachCastThread, type CastLine } from './cast-thread.ts';
import { verifyFile } from './chain-verify.ts';
import { CastQueue, type Queued } from './cast-queue.ts';

/** The newest `*.jsonl` in `dir` and its last hash, when it verifies. */
export function previousLog(dir: string): { file: string; hash: string } | null {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.jsonl'));
  } catch {
    return null;
  }
  const newest = names.map((n) => ({ n, m: statSync(join(dir, n)).mtimeMs })).sort((a, b) => b.m - a.m)[0];
  if (!newest) return null;
  const v = verifyFile(join(dir, newest.n));
  return v.ok && v.lines > 0 ? { file: newest.n, hash: v.last } : null;
}

/** What the terminals print goes to the cast writer at most this much later, ms (the cast keeps
 * the time of each chunk: CastQueue, CastWriter)… */
export const POST_MS = 250;
/** …or once this much is queued, bytes. */
const POST_BYTES = 256 * 1024;

/** Output the cast writer may have left to write before the terminals wait for it, bytes… */
export const RECORD_HIGH_WATER_BYTES = 64 * 1024 * 1024;
/** …and once it is down to this, they go on. */
export const RECORD_LOW_WATER_BYTES = 16 * 1024 * 1024;

export class TerminalRecorder {
  #casts = new Map<number, { path: string; cols: number; rows: number }>();
  /** terminals whose cast failed (not written to again) */
  #broken = new Set<number>();
  #offs: (() => void)[] = [];
  #line: CastLine;
  #closed: Promise<void>;
  #disposed = false;
  /** output bytes queued for the worker, and those it handled */
  #queuedBytes = 0;
  #handledBytes = 0;
  #holding = false;
  #flow: { highWaterBytes: number; lowWaterBytes: number };
  #flush: () => void = () => {};
  #flushSoon: (bytes: number) => void = () => {};
  #post: (m: Queued) => void = () => {};
  #insert: (m: Queued, afterSeq: number) => void = () => {};

  /**
   * `onError`: told once, at the first failure of any cast (the session goes on without it);
   * `rules`: the host's `--redact` rules (the built-in patterns always apply); `flow`: how far
   * behind the writer may get before the terminals wait (RECORD_*_WATER_BYTES).
   */
  constructor(terms: TerminalSet, dir: string, session: string, onError: (e: Error) => void, rules: RegExp[] = [], flow = { highWaterBytes: RECORD_HIGH_WATER_BYTES, lowWaterBytes: RECORD_LOW_WATER_BYTES }) {
    this.#flow = flow;
    // Posted every POST_MS, or once POST_BYTES are queued, as one message: the output listener
    // only keeps a reference to the chunk (no copy, no post), so the listeners after it (the hub
    // sending the output to peers) are not kept waiting, and the worker (and this thread, for its
    // answer) wakes up that seldom while people type, not once per echo or per cast batch.
    const queue = new CastQueue();
    /** the last batch's buffer, back from the worker */
    let spare: ArrayBuffer | null = null;
    let queued = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let soon = false;
    const post = (m: Queued) => {
      if (queue.empty) timer = setTimeout(() => this.#flush(), POST_MS);
      queue.push(m);
    };
    this.#flushSoon = (bytes) => {
      queued += bytes;
      if (queued < POST_BYTES || soon) return;
      soon = true;
      // after the listeners of this chunk (the hub's send)
      setImmediate(() => this.#flush());
    };
    this.#flush = () => {
      clearTimeout(timer);
      soon = false;
      queued = 0;
      if (queue.empty) return;
      const { items, buffer } = queue.take(spare);
      if (buffer === spare) spare = null;
      this.#line.post({ type: 'batch', rec: this.#line.rec, items, buffer }, [buffer]);
    };
    this.#insert = (m, afterSeq) => {
      if (queue.empty) return post(m);
      queue.insert(m, afterSeq);
    };
    let reported = false;
    const report = (e: Error) => {
      if (!reported) onError(e);
      reported = true;
    };
    let closed = () => {};
    this.#closed = new Promise((resolve) => (closed = resolve));
    this.#line = attachCastThread(
      {
        message: (m) => {
          if (m.type === 'closed') return closed();
          if (m.type === 'done') {
            if (!spare || m.buffer.byteLength > spare.byteLength) spare = m.buffer;
            return this.#handled(terms, m.bytes);
          }
          this.#broken.add(m.id);
          this.#casts.delete(m.id);
          report(Object.assign(new Error(m.message), { code: m.code }));
        },
        // a writer that is gone holds no terminal back
        gone: (e) => {
          if (e) report(e);
          this.#release(terms);
          closed();
        }
      },
      rules
    );
    this.#post = post;
    const cast = (id: number) => {
      let c = this.#casts.get(id);
      if (!c && !this.#broken.has(id)) {
        const t = terms.list().find((x) => x.id === id);
        c = { path: join(dir, `${session}-terminal-${id}.cast`), cols: t?.cols ?? 80, rows: t?.rows ?? 24 };
        this.#casts.set(id, c);
        post({ type: 'open', id, path: c.path, header: { cols: c.cols, rows: c.rows, title: t?.title || `terminal ${id}` } });
      }
      return c;
    };
    this.#offs.push(
      terms.onOutput((id, seq, data) => {
        // chunks are never written to again once emitted (the ring and peers hold them too)
        if (!cast(id)) return;
        post({ type: 'o', id, seq, data, at: now() });
        this.#queuedBytes += data.length;
        this.#flushSoon(data.length);
        // the writer runs at a low priority: on a saturated machine it may fall behind a flood
        if (!this.#holding && this.backlogBytes > this.#flow.highWaterBytes) {
          this.#holding = true;
          terms.hold(true);
          this.#line.post({ type: 'urgent', rec: this.#line.rec, on: true });
        }
      }),
      terms.onChange(() => {
        for (const t of terms.list()) {
          const c = this.#casts.get(t.id);
          if (!c || (c.cols === t.cols && c.rows === t.rows)) continue;
          c.cols = t.cols;
          c.rows = t.rows;
          post({ type: 'r', id: t.id, cols: t.cols, rows: t.rows });
        }
      })
    );
  }

  /** A marker in a terminal's cast (a command started); `afterSeq`: right after that output chunk
   * (when later output is already queued), else after everything so far. */
  marker(term: number, label: string, afterSeq?: number): void {
    if (!this.#casts.has(term)) return;
    const m: Queued = { type: 'm', id: term, label };
    if (afterSeq === undefined) this.#post(m);
    else this.#insert(m, afterSeq);
  }

  /** Output not yet handled by the cast writer, bytes. */
  get backlogBytes(): number {
    return this.#queuedBytes - this.#handledBytes;
  }

  #handled(terms: TerminalSet, bytes: number): void {
    this.#handledBytes = bytes;
    if (this.backlogBytes <= this.#flow.lowWaterBytes) this.#release(terms);
  }

  #release(terms: TerminalSet): void {
    if (!this.#holding) return;
    this.#holding = false;
    terms.hold(false);
    if (!this.#disposed) this.#line.post({ type: 'urgent', rec: this.#line.rec, on: false });
  }

  /** The cast files written so far. */
  get files(): string[] {
    return [...this.#casts.values()].map((c) => basename(c.path));
  }

  /** Resolves once every cast is on disk (the thread stays for the process's next recorder). */
  async dispose(): Promise<void> {
    if (this.#disposed) return this.#closed;
    this.#disposed = true;
    for (const off of this.#offs) off();
    this.#offs = [];
    this.#flush();
    this.#line.post({ type: 'close', rec: this.#line.rec });
    await this.#closed;
    this.#line.detach();
  }
}

