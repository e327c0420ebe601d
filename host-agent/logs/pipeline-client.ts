/**
 * The main thread's side of the log pipeline (pipeline.ts, run by pipeline-thread.ts): raw lines
 * are handed over in batches, one message per turn of the loop; matches come back as events.
 *
 * In flight is bounded: past MAX_PENDING_LINES lines or MAX_PENDING_CHARS characters handed over
 * and not yet acknowledged, `full` says so and `drained()` is what the sources wait on (a file
 * stops being read, a command's output is paused), so a flood waits in the file or the pipe — never in this process's
 * memory, and no line is dropped for it. If the thread fails (a bug, out of memory), requests
 * waiting on it are rejected with PipelineError, the lines it had are counted as `lost` (the
 * participants see them as skipped), the host's log says why, and a new thread takes over with the
 * sources and the filter (the history before is gone). After MAX_FAILURES within FAILURE_WINDOW_MS
 * it stays stopped: lines are then counted as lost, and every request says why.
 */
import { Worker, type ResourceLimits } from 'node:worker_threads';
import type { LogFilter, LogLine } from '../../src/lib/protocol/logs.ts';
import { Emitter } from '../../src/lib/mesh/events.ts';
import { fromColumns, type FromPipeline, type PipelineData, type ToPipeline } from './pipeline-messages.ts';
import type { RawBatch } from './pipeline.ts';
import { REGEX_BUDGET_MS, SlowRegexError } from './regex-worker.ts';

/** Lines handed to the thread and not yet done, at most (then the sources wait). More only
 * overshoots the participants' backlog gate (logs-host.ts) into skipped lines: the bench's host
 * waited on the page, not on this thread (16k lines skipped 46 % of 1M). */
export const MAX_PENDING_LINES = 2048;
/** …and characters of them: lines can be 64 KiB each, 2048 of those were 128 MiB in flight. */
export const MAX_PENDING_CHARS = 512 * 1024;
/** The sources go on once in flight is down to half of both. */
const RESUME_LINES = MAX_PENDING_LINES / 2;
const RESUME_CHARS = MAX_PENDING_CHARS / 2;
/** Raised nice value of the thread: below the terminal's and the mesh's thread. */
export const PIPELINE_NICE = 5;
export const MAX_FAILURES = 3;
export const FAILURE_WINDOW_MS = 60_000;

export class PipelineError extends Error {}

export interface PipelineOptions {
  regexBudgetMs?: number;
  log: (line: string) => void;
  /** the thread's heap and stack limits (default: Node's) */
  resourceLimits?: ResourceLimits;
}

interface Request {
  resolve: (lines: LogLine[] | null) => void;
  reject: (e: Error) => void;
}

export class LogPipeline {
  /** live lines the filter of `gen` matched */
  readonly matched = new Emitter<{ gen: number; lines: LogLine[] }>();
  /** the regex of the filter of `gen` was over its budget on live lines */
  readonly slowRegex = new Emitter<{ gen: number; message: string }>();
  /** lines read that will never be matched: the thread failed with them, or is stopped */
  readonly lost = new Emitter<number>();
  /** someone is connected: lines are matched (else they only go into the history) */
  live = false;
  /** messages with lines sent to the thread, and lines in them (for the tests and the bench) */
  posted = { messages: 0, lines: 0 };
  #o: PipelineOptions;
  #worker: Worker | null = null;
  #sources = new Map<number, { historyBytes: number; seq: number }>();
  #filter: { gen: number; filter: LogFilter } | null = null;
  #queue: RawBatch[] = [];
  #queued = 0;
  #queuedChars = 0;
  #flush: NodeJS.Immediate | null = null;
  #inFlight = 0;
  #inFlightChars = 0;
  #waiters: (() => void)[] = [];
  #requests = new Map<number, Request>();
  #nextReq = 1;
  #failures: number[] = [];
  #stopped: string | null = null;
  #disposed = false;

  constructor(o: PipelineOptions) {
    this.#o = o;
    this.#worker = this.#spawn();
  }

  /** Lines handed over and not yet done. */
  get pending(): number {
    return this.#queued + this.#inFlight;
  }

  /** Characters of those lines. */
  get pendingChars(): number {
    return this.#queuedChars + this.#inFlightChars;
  }

  /** In flight is at its bound: sources wait on `drained()`. */
  get full(): boolean {
    return this.pending >= MAX_PENDING_LINES || this.pendingChars >= MAX_PENDING_CHARS;
  }

  #low(): boolean {
    return this.pending <= RESUME_LINES && this.pendingChars <= RESUME_CHARS;
  }

  /** Why the pipeline stopped for good (it failed too often), or null while it runs. */
  get stopped(): string | null {
    return this.#stopped;
  }

  addSource(src: number, historyBytes: number): void {
    this.#sources.set(src, { historyBytes, seq: 0 });
    this.#post({ type: 'source', src, historyBytes, seq: 0 });
  }

  setFilter(gen: number, filter: LogFilter): void {
    this.#filter = { gen, filter };
    this.#post({ type: 'filter', gen, filter });
  }

  /** Raw lines of a source; sent with the others of this turn of the loop. */
  ingest(src: number, raw: string[]): void {
    const s = this.#sources.get(src);
    if (!s || raw.length === 0 || this.#disposed) return;
    s.seq += raw.length;
    if (this.#stopped) return this.lost.fire(raw.length);
    this.#queue.push({ src, raw });
    this.#queued += raw.length;
    for (const l of raw) this.#queuedChars += l.length;
    this.#flush ??= setImmediate(() => this.#send());
  }

  /** Resolves once in flight is low again (at once when it is). */
  drained(): Promise<void> {
    if (this.#low() || this.#disposed) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** The newest `max` matches of the filter of `gen` in the history; null when superseded.
   * Rejects with SlowRegexError (the regex is over its budget) or PipelineError. */
  search(gen: number, max: number): Promise<LogLine[] | null> {
    return this.#request((req) => ({ type: 'search', req, gen, max }));
  }

  /** A line and up to `before`/`after` lines around it; null when it is no longer kept. */
  context(src: number, seq: number, before: number, after: number): Promise<LogLine[] | null> {
    return this.#request((req) => ({ type: 'context', req, src, seq, before, after }));
  }

  #request(make: (req: number) => ToPipeline): Promise<LogLine[] | null> {
    if (this.#disposed) return Promise.reject(new PipelineError('The log pipeline is stopped.'));
    if (this.#stopped) return Promise.reject(new PipelineError(this.#stopped));
    const req = this.#nextReq++;
    return new Promise((resolve, reject) => {
      this.#requests.set(req, { resolve, reject });
      this.#post(make(req));
    });
  }

  #send(): void {
    this.#flush = null;
    if (this.#queue.length === 0 || !this.#worker) return;
    const batches = this.#queue;
    const n = this.#queued;
    const chars = this.#queuedChars;
    this.#queue = [];
    this.#queued = 0;
    this.#queuedChars = 0;
    this.#inFlight += n;
    this.#inFlightChars += chars;
    this.posted.messages++;
    this.posted.lines += n;
    this.#post({ type: 'lines', batches, n, chars, live: this.live });
  }

  #post(m: ToPipeline): void {
    this.#worker?.postMessage(m);
  }

  #spawn(): Worker {
    const data: PipelineData = { regexBudgetMs: this.#o.regexBudgetMs ?? REGEX_BUDGET_MS, nice: PIPELINE_NICE };
    const w = new Worker(new URL('./pipeline-thread.ts', import.meta.url), { workerData: data, resourceLimits: this.#o.resourceLimits });
    w.unref();
    w.on('message', (m: FromPipeline) => this.#receive(m));
    w.on('error', (e) => this.#failed(w, e.message));
    w.on('exit', (code) => this.#failed(w, `it exited with code ${code}`));
    return w;
  }

  #receive(m: FromPipeline): void {
    switch (m.type) {
      case 'ready':
        return;
      case 'ingested':
        this.#inFlight -= m.n;
        this.#inFlightChars -= m.chars;
        if (this.#low()) this.#wake();
        if (m.lines.texts.length) this.matched.fire({ gen: m.gen, lines: fromColumns(m.lines) });
        if (m.slow) this.slowRegex.fire({ gen: m.gen, message: m.slow });
        return;
      case 'found': {
        const r = this.#requests.get(m.req);
        this.#requests.delete(m.req);
        if (m.slow) r?.reject(new SlowRegexError(m.slow));
        else r?.resolve(m.lines);
        return;
      }
    }
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }

  /** The thread `w` failed (error, then exit: handled once): a new one takes over, or none. */
  #failed(w: Worker, why: string): void {
    if (w !== this.#worker || this.#disposed) return;
    this.#worker = null;
    void w.terminate();
    const lost = this.#inFlight;
    this.#inFlight = 0;
    this.#inFlightChars = 0;
    const now = Date.now();
    this.#failures = [...this.#failures.filter((t) => now - t < FAILURE_WINDOW_MS), now];
    const again = this.#failures.length < MAX_FAILURES;
    const message = `The log pipeline failed (${why}); ${again ? 'it was restarted, and the history read before is gone' : `it failed ${MAX_FAILURES} times within a minute and stays stopped: restart the host`}.`;
    this.#o.log(`logs: ${message}${lost ? ` ${lost} lines were lost with it.` : ''}`);
    for (const r of this.#requests.values()) r.reject(new PipelineError(message));
    this.#requests.clear();
    if (again) {
      this.#worker = this.#spawn();
      // numbering goes on after the lines sent (and lost): the queued ones are still to come
      const queued = new Map<number, number>();
      for (const b of this.#queue) queued.set(b.src, (queued.get(b.src) ?? 0) + b.raw.length);
      for (const [src, s] of this.#sources) this.#post({ type: 'source', src, historyBytes: s.historyBytes, seq: s.seq - (queued.get(src) ?? 0) });
      if (this.#filter) this.#post({ type: 'filter', ...this.#filter });
    } else {
      this.#stopped = message;
      const queued = this.#queued;
      this.#queue = [];
      this.#queued = 0;
      this.#queuedChars = 0;
      if (queued) this.lost.fire(queued);
    }
    if (lost) this.lost.fire(lost);
    this.#wake();
  }

  dispose(): void {
    this.#disposed = true;
    if (this.#flush) clearImmediate(this.#flush);
    this.#flush = null;
    for (const r of this.#requests.values()) r.reject(new PipelineError('The log pipeline is stopped.'));
    this.#requests.clear();
    this.#wake();
    void this.#worker?.terminate();
    this.#worker = null;
    this.matched.dispose();
    this.slowRegex.dispose();
    this.lost.dispose();
  }
}
