/**
 * A word index of a recording's terminal text, written next to its events (by the recorder at
 * each batch, by an import as it goes), so that a search reads only the stretches that contain
 * the query instead of the whole recording.
 *
 * The text is cut into pages of about PAGE_TEXT_CHARS of output (and at every batch end). A page
 * is one row in the `words` table: the seq range it covers and the distinct words in it (escape
 * sequences removed, lowercased, cut to MAX_WORD_CHARS), each as `rec \x01 word` in a multi-entry
 * index. A page with more than MAX_PAGE_WORDS distinct words (a hex dump) is kept as "unindexed"
 * (the ANY word): every search reads it. A word cut by a chunk boundary is carried over to the next
 * chunk of the same terminal, so it is indexed whole.
 */
import type { Stored } from './events.ts';
import { plainText } from './search.ts';

export interface WordPage {
  rec: string;
  /** first and last seq covered */
  from: number;
  to: number;
  keys: string[];
}

/** Output per page, characters: what a search reads for each page that has the word. */
export const PAGE_TEXT_CHARS = 64 * 1024;
export const MAX_PAGE_WORDS = 4096;
export const MAX_WORD_CHARS = 32;
/** the word of a page too varied to index: every search reads it */
export const ANY = '\x00';

const WORD = /[\p{L}\p{N}_]+/gu;
const WORD_CHAR = /[\p{L}\p{N}_]/u;

/** Where the text's last (maybe unfinished) word starts; a scan back from the end (a regex
 * anchored at the end would be tried from every position). */
function trailingWord(text: string): number {
  let i = text.length;
  while (i > 0 && WORD_CHAR.test(text[i - 1])) i--;
  return i;
}

/** The words of a text, lowercased and cut to MAX_WORD_CHARS (what the index and queries use). */
export function wordsOf(text: string): string[] {
  return (text.toLowerCase().match(WORD) ?? []).map((w) => w.slice(0, MAX_WORD_CHARS));
}

export const wordKey = (rec: string, word: string) => `${rec}\x01${word}`;

interface Carry {
  dec: TextDecoder;
  /** the last chunk's unfinished word */
  rest: string;
}

export class WordIndexer {
  readonly rec: string;
  #words = new Set<string>();
  #chars = 0;
  #from = 0;
  #to = 0;
  #carry = new Map<number, Carry>();
  #pages: WordPage[] = [];

  constructor(rec: string) {
    this.rec = rec;
  }

  /** Takes the next event, in seq order; only terminal text counts. */
  add(e: Stored): void {
    if (e.k !== 'msg' || e.cap !== 'terminal') return;
    const m = e.msg as { type: string; id: number; data: Uint8Array | string };
    if (m.type !== 'output' && m.type !== 'snapshot') return;
    let c = this.#carry.get(m.id);
    if (!c || m.type === 'snapshot') this.#carry.set(m.id, (c = { dec: new TextDecoder(), rest: '' }));
    const text = c.rest + plainText(typeof m.data === 'string' ? m.data : c.dec.decode(m.data, { stream: true }));
    // the last word may go on in the next chunk: index it then (or at the page's end)
    const cut = trailingWord(text);
    c.rest = text.slice(cut).slice(-MAX_WORD_CHARS);
    if (!this.#from) this.#from = e.seq;
    this.#to = e.seq;
    this.#take(text.slice(0, cut));
    this.#chars += text.length;
    if (this.#chars >= PAGE_TEXT_CHARS) this.#close();
  }

  #take(text: string): void {
    if (this.#words.has(ANY)) return;
    for (const w of wordsOf(text)) {
      this.#words.add(w);
      if (this.#words.size > MAX_PAGE_WORDS) {
        this.#words = new Set([ANY]);
        return;
      }
    }
  }

  #close(): void {
    if (!this.#from) return;
    for (const c of this.#carry.values()) this.#take(c.rest);
    this.#pages.push({ rec: this.rec, from: this.#from, to: this.#to, keys: [...this.#words].map((w) => wordKey(this.rec, w)) });
    this.#words = new Set();
    this.#chars = 0;
    this.#from = 0;
  }

  /** The pages finished so far, the open one included (a batch ends a page). */
  take(): WordPage[] {
    this.#close();
    return this.#pages.splice(0);
  }
}
