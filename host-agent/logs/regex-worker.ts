/**
 * Participants' regexes, run where they cannot hang the host: in a worker thread, one batch of
 * lines at a time, each within a time budget. A batch over budget ends the thread (a new one
 * starts for the next pattern) and the pattern is refused as too slow. The `re2` package would
 * make this unnecessary, but it downloads or compiles a native binary at install, which this
 * project does not allow.
 */
import { Worker } from 'node:worker_threads';

/** Longest one batch may take, ms. Linear patterns take well under 1 ms per thousand lines. */
export const REGEX_BUDGET_MS = 500;
/** Lines per batch: a budget is per batch, so the batch is small enough to fit it comfortably. */
export const REGEX_BATCH = 2000;

export class SlowRegexError extends Error {}

/** `(?i)` in front makes a pattern case-insensitive (JavaScript has no inline flag for the whole pattern). */
export function regexParts(pattern: string): { source: string; flags: string } {
  return pattern.startsWith('(?i)') ? { source: pattern.slice(4), flags: 'i' } : { source: pattern, flags: '' };
}

/** A readable reason a pattern does not compile, or null when it does (compiling is cheap and safe). */
export function regexProblem(pattern: string): string | null {
  const { source, flags } = regexParts(pattern);
  try {
    new RegExp(source, flags);
    return null;
  } catch (e) {
    return `Not a valid regular expression: ${(e as Error).message.replace(/^Invalid regular expression: /, '')}`;
  }
}

interface Job {
  id: number;
  source: string;
  flags: string;
  texts: string[];
  resolve: (hits: number[]) => void;
  reject: (e: Error) => void;
}

export class RegexWorker {
  #worker: Worker | null = null;
  #queue: Job[] = [];
  #current: Job | null = null;
  #timer: NodeJS.Timeout | null = null;
  #nextId = 1;
  #budgetMs: number;
  #disposed = false;
  /** the thread loaded and said so (its start-up does not count against a pattern's budget) */
  #online = false;

  constructor(budgetMs = REGEX_BUDGET_MS) {
    this.#budgetMs = budgetMs;
  }

  /** Indexes of the texts the pattern matches; rejects with SlowRegexError past the budget. */
  match(pattern: string, texts: string[]): Promise<number[]> {
    if (this.#disposed) return Promise.reject(new Error('stopped'));
    const { source, flags } = regexParts(pattern);
    return new Promise((resolve, reject) => {
      this.#queue.push({ id: this.#nextId++, source, flags, texts, resolve, reject });
      this.#next();
    });
  }

  /** Drops queued batches (the filter changed). */
  clear(): void {
    for (const j of this.#queue.splice(0)) j.reject(new Error('superseded'));
  }

  #spawn(): Worker {
    const w = new Worker(new URL('./regex-thread.ts', import.meta.url));
    w.unref();
    this.#online = false;
    w.on('message', (m: { ready?: true; id: number; hits?: number[]; error?: string }) => {
      if (m.ready) {
        this.#online = true;
        if (this.#current && !this.#timer) this.#arm(this.#current);
        return;
      }
      const job = this.#current;
      if (!job || job.id !== m.id) return;
      this.#finish();
      if (m.error !== undefined) job.reject(new Error(m.error));
      else job.resolve(m.hits ?? []);
    });
    w.on('error', (e) => {
      const job = this.#current;
      this.#worker = null;
      this.#finish();
      job?.reject(e);
    });
    return w;
  }

  #finish(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    this.#current = null;
    queueMicrotask(() => this.#next());
  }

  #next(): void {
    if (this.#current || this.#disposed) return;
    const job = this.#queue.shift();
    if (!job) return;
    this.#current = job;
    this.#worker ??= this.#spawn();
    this.#worker.postMessage({ id: job.id, source: job.source, flags: job.flags, texts: job.texts });
    if (this.#online) this.#arm(job);
  }

  #arm(job: Job): void {
    this.#timer = setTimeout(() => {
      // the thread is stuck in the pattern: end it; the next batch gets a fresh one
      void this.#worker?.terminate();
      this.#worker = null;
      this.#finish();
      job.reject(new SlowRegexError(`The regex took longer than ${this.#budgetMs} ms on ${job.texts.length} lines and was turned off: it backtracks too much (nested repeats like (a+)+ do). Try a simpler pattern.`));
    }, this.#budgetMs);
  }

  dispose(): void {
    this.#disposed = true;
    this.clear();
    if (this.#timer) clearTimeout(this.#timer);
    this.#current?.reject(new Error('stopped'));
    this.#current = null;
    void this.#worker?.terminate();
    this.#worker = null;
  }
}
