/**
 * The per-line work of the logs capability, as plain logic (pipeline-thread.ts runs it in a worker
 * thread, off the loop that serves the terminal and the mesh): every raw line is redacted (the
 * shared engine), cut and stamped (its own timestamp and level when it has them), kept in its
 * source's bounded history, and tested against the shared filter. A user regex runs in the regex
 * thread with its time budget (regex-worker.ts), so even a pattern that backtracks for minutes
 * never stops this pipeline. Searches of the history, context around a line and pinned lines are
 * answered from here too. Nothing unredacted is kept or handed on.
 */
import { MAX_LINE_CHARS, levelNumber, type LogFilter, type LogLine } from '../../src/lib/protocol/logs.ts';
import { compileFilter, type LineTest } from '../../src/lib/logs/match.ts';
import { stampOf } from '../../src/lib/logs/parse.ts';
import { redactText } from '../redact/redact.ts';
import { History } from './history.ts';
import { REGEX_BATCH, SlowRegexError } from './regex-worker.ts';
import { searchHistory } from './search.ts';

/** What runs user regexes (RegexWorker): `match` rejects with SlowRegexError past its budget. */
export interface RegexMatcher {
  match(pattern: string, texts: string[]): Promise<number[]>;
  /** drops queued work (the filter changed) */
  clear(): void;
}

/** Raw lines of one source, in the order read. */
export interface RawBatch {
  src: number;
  raw: string[];
}

/** What a batch of raw lines gave: the lines the filter of `gen` matched, or why none could be. */
export interface Ingested {
  gen: number;
  lines: LogLine[];
  /** the regex was over its budget on these lines (it is turned off by the host) */
  slow?: string;
}

/** A stamp a line may claim, when it is not absurd (a year-1970 or far-future time is the host's clock). */
const SANE_FROM = Date.UTC(2000, 0, 1);
const SANE_SPAN_MS = 366 * 24 * 3600_000;

/** Redacts, cuts and stamps one raw line. */
export function toLogLine(src: number, seq: number, raw: string, now: number): LogLine {
  let text = raw.length > MAX_LINE_CHARS * 2 ? raw.slice(0, MAX_LINE_CHARS * 2) : raw;
  text = redactText(text).text;
  if (text.length > MAX_LINE_CHARS) text = text.slice(0, MAX_LINE_CHARS - 1) + '…';
  const p = stampOf(text);
  const t = p.time !== null && p.time > SANE_FROM && p.time < now + SANE_SPAN_MS ? p.time : now;
  return { src, seq, t, lv: p.level ? levelNumber(p.level) : 0, text };
}

interface Kept {
  history: History;
  /** the number of the last line read */
  seq: number;
}

export class Pipeline {
  #sources = new Map<number, Kept>();
  #regex: RegexMatcher;
  #gen = 0;
  #filter: LogFilter = {};
  #test: LineTest = () => true;

  constructor(regex: RegexMatcher) {
    this.#regex = regex;
  }

  get gen(): number {
    return this.#gen;
  }

  /** A source to keep lines of; `seq` = lines it had before (a new thread after a failure goes on numbering). */
  addSource(src: number, historyBytes: number, seq = 0): void {
    if (!this.#sources.has(src)) this.#sources.set(src, { history: new History(historyBytes), seq });
  }

  setFilter(gen: number, filter: LogFilter): void {
    this.#gen = gen;
    this.#filter = filter;
    this.#test = compileFilter(filter);
    this.#regex.clear();
  }

  /**
   * Redacts, stamps and keeps every line; resolves with those the current filter matches (none
   * are tested when nobody is `live`, i.e. connected: they only go into the history).
   */
  async ingest(batches: RawBatch[], now: number, live: boolean): Promise<Ingested> {
    const gen = this.#gen;
    const test = this.#test;
    const matched: LogLine[] = [];
    for (const b of batches) {
      const kept = this.#sources.get(b.src);
      if (!kept) continue;
      for (const raw of b.raw) {
        const line = toLogLine(b.src, ++kept.seq, raw, now);
        kept.history.push(line);
        if (live && test(line)) matched.push(line);
      }
    }
    const { regex } = this.#filter;
    if (!regex || matched.length === 0) return { gen, lines: matched };
    const hits: LogLine[] = [];
    try {
      for (let i = 0; i < matched.length; i += REGEX_BATCH) {
        const part = matched.slice(i, i + REGEX_BATCH);
        for (const h of await this.#regex.match(regex, part.map((l) => l.text))) hits.push(part[h]);
      }
    } catch (e) {
      // superseded (a new filter cleared the queue): these lines were for the old one
      return e instanceof SlowRegexError ? { gen, lines: [], slow: e.message } : { gen, lines: [] };
    }
    return { gen, lines: hits };
  }

  /** The newest `max` matches of the filter of `gen` in the histories; null when it changed meanwhile.
   * Rejects with SlowRegexError when the regex is over its budget. */
  search(gen: number, max: number): Promise<LogLine[] | null> {
    if (gen !== this.#gen) return Promise.resolve(null);
    const { regex } = this.#filter;
    return searchHistory(
      [...this.#sources.values()].map((s) => s.history),
      { test: this.#test, regex: regex ? { pattern: regex, worker: this.#regex } : undefined, max, current: () => gen === this.#gen }
    );
  }

  /** The line numbered `seq` of `src` and up to `before`/`after` around it; null when it is no longer kept. */
  context(src: number, seq: number, before: number, after: number): LogLine[] | null {
    const h = this.#sources.get(src)?.history;
    if (!h?.get(seq)) return null;
    return h.range(Math.max(1, seq - before), seq + after);
  }

  line(src: number, seq: number): LogLine | undefined {
    return this.#sources.get(src)?.history.get(seq);
  }
}
