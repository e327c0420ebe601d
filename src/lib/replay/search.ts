/**
 * Search across a recording's terminal text: every terminal's output (and snapshots), with escape
 * sequences removed, matched case-insensitively, streamed through once. A match that spans two
 * output chunks is found too. Each hit is a point on the timeline.
 */
import type { Stored } from './events.ts';
import type { RecordingReader } from './reader.ts';
import { wordsOf } from './search-index.ts';

export interface Hit {
  t: number;
  seq: number;
  term: number;
  /** the matching line, around the match */
  excerpt: string;
}

export const MAX_HITS = 500;
const EXCERPT_CHARS = 80;

/** CSI, OSC and other escape sequences, and the remaining control characters but newline. */
// eslint-disable-next-line no-control-regex
const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]|[\x00-\x09\x0b-\x1f\x7f]/g;

export function plainText(s: string): string {
  return s.replace(ESCAPES, '');
}

interface Tail {
  text: string;
  dec: TextDecoder;
}

/** Finds the query in terminal text fed event by event; a match across two chunks counts. */
class Matcher {
  readonly hits: Hit[] = [];
  #q: string;
  #max: number;
  #tails = new Map<number, Tail>();

  constructor(q: string, max: number) {
    this.#q = q;
    this.#max = max;
  }

  get full(): boolean {
    return this.hits.length >= this.#max;
  }

  /** Forgets the text before (the next event does not follow the last one). */
  gap(): void {
    this.#tails.clear();
  }

  /** `quiet`: only primes the tail (an event read for context, whose own hits are elsewhere) */
  feed(e: Stored, quiet = false): void {
    const q = this.#q;
    if (this.full || e.k !== 'msg' || e.cap !== 'terminal') return;
    const m = e.msg as { type: string; id: number; data: Uint8Array | string };
    if (m.type !== 'output' && m.type !== 'snapshot') return;
    let tail = this.#tails.get(m.id);
    if (!tail || m.type === 'snapshot') this.#tails.set(m.id, (tail = { text: '', dec: new TextDecoder() }));
    const fresh = plainText(typeof m.data === 'string' ? m.data : tail.dec.decode(m.data, { stream: true }));
    // the end of the previous chunk: for a match across the boundary, and for the excerpt
    const keep = tail.text;
    const text = keep + fresh;
    const lower = text.toLowerCase();
    for (let at = quiet ? -1 : lower.indexOf(q); at >= 0 && !this.full; at = lower.indexOf(q, at + 1)) {
      if (at + q.length <= keep.length) continue; // found with the previous chunk
      const start = text.lastIndexOf('\n', at) + 1;
      const end = text.indexOf('\n', at);
      const line = text.slice(Math.max(start, at - EXCERPT_CHARS / 2), end < 0 ? at + EXCERPT_CHARS / 2 : Math.min(end, at + EXCERPT_CHARS / 2));
      this.hits.push({ t: e.t, seq: e.seq, term: m.id, excerpt: line.trim() });
    }
    tail.text = text.slice(-Math.max(EXCERPT_CHARS, q.length));
  }
}

/**
 * Hits in time order. A recording with a word index (search-index.ts) is searched by the query's
 * longest word: only the pages that have a word starting with it are read, so a query finds text
 * at the start of a word ("needle" in "needles", not in "haystackneedle"). Older recordings are
 * read through.
 */
export async function search(reader: RecordingReader, query: string, max = MAX_HITS): Promise<Hit[]> {
  const q = query.toLowerCase();
  if (!q) return [];
  const m = new Matcher(q, max);
  const word = wordsOf(q).sort((a, b) => b.length - a.length)[0];
  const meta = await reader.meta();
  if (!word || !meta?.words) {
    await reader.each((e) => m.feed(e));
    return m.hits;
  }
  let prev = -1;
  for (const page of await reader.pagesWith(word)) {
    // the event before the page, for a match that began there
    const events = await reader.range(Math.max(page.from - 1, prev + 1), page.to);
    if (events[0]?.seq !== prev + 1) m.gap();
    for (const e of events) m.feed(e, e.seq < page.from);
    prev = page.to;
    if (m.full) break;
  }
  // the end the word index does not cover yet (recorded lazily, its page closed before the model
  // caught up): read through
  const indexed = meta.indexed ?? meta.events;
  if (indexed < meta.events && !m.full) {
    if (prev !== indexed) {
      m.gap();
      for (const e of await reader.range(indexed, indexed)) m.feed(e, true);
    }
    await reader.each((e) => m.feed(e), indexed);
  }
  return m.hits;
}
