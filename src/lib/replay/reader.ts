/**
 * Reads one recording a piece at a time, so that opening or seeking a recording of any size only
 * touches what it needs: the meta and the marks to open it, then the keyframe before the target
 * and the events between them, in pages.
 */
import { Dexie } from 'dexie';
import type { ReplayDb } from './db.ts';
import type { Keyframe, RecordingMeta, Stored } from './events.ts';
import { KeyframeIndex } from './keyframe-index.ts';
import { ANY, wordKey, type WordPage } from './search-index.ts';

/** Events read per page while playing or seeking (an output event is up to 16 KiB or so). */
export const PAGE_EVENTS = 256;

/** What a seek applies: `from` a keyframe, from where the player is (`'here'`), or from the empty
 * start (null); then `events`, in seq order. */
export interface SeekRead {
  from: Keyframe | 'here' | null;
  events: Stored[];
}

export class RecordingReader {
  readonly db: ReplayDb;
  readonly rec: string;
  #keyframes = new KeyframeIndex();

  constructor(db: ReplayDb, rec: string) {
    this.db = db;
    this.rec = rec;
  }

  /** Reads where every keyframe is (keys only; a few ms per thousand keyframes), so that seeks
   * then read their keyframe and the events after it at once. Seeks work without it. */
  async indexKeyframes(): Promise<void> {
    const all = () => this.db.keyframes.where('[rec+t]').between([this.rec, -Infinity], [this.rec, Infinity], true, true);
    const [keys, primary] = await this.db.transaction('r', this.db.keyframes, () => Promise.all([all().keys(), all().primaryKeys()]));
    this.#keyframes.load(
      keys.map((k) => (k as unknown as [string, number])[1]),
      primary.map((k) => k[1])
    );
  }

  /**
   * What a seek to `t` applies: the last keyframe at or before t and the events after it up to t
   * — or, moving forward (`here`: the seq and t of the player's last event; null moving back)
   * with no keyframe in between, just the events from there. With the keyframe index, the
   * keyframe and the events are read at once in one transaction, and a keyframe used recently is
   * not read again; without it, the keyframe is looked up first.
   */
  async seekRead(t: number, here: { seq: number; t: number } | null): Promise<SeekRead> {
    let key = this.#keyframes.before(t);
    let kf: Keyframe | undefined;
    if (key === null) key = kf = await this.keyframeAt(t);
    if (here && (!key || key.seq <= here.seq)) return { from: 'here', events: await this.span(here.seq, here.t, t) };
    if (!key) return { from: null, events: await this.span(0, 0, t) };
    const k = key;
    kf ??= this.#keyframes.cached(k.seq);
    const [whole, events] = kf
      ? [kf, await this.span(k.seq, k.t, t)]
      : await this.db.transaction('r', this.db.keyframes, this.db.events, () => Promise.all([this.db.keyframes.get([this.rec, k.seq]), this.span(k.seq, k.t, t)]));
    if (!whole) throw new Error('a keyframe of this recording is gone');
    this.#keyframes.remember(whole);
    return { from: whole, events };
  }

  meta(): Promise<RecordingMeta | undefined> {
    return this.db.recordings.get(this.rec);
  }

  marks(): Promise<Stored[]> {
    return this.db.marks.where('[rec+seq]').between([this.rec, Dexie.minKey], [this.rec, Dexie.maxKey]).toArray();
  }

  /** The last keyframe at or before t, if any: one step of a reverse cursor on the t index (one
   * request, one keyframe read). */
  async keyframeAt(t: number): Promise<Keyframe | undefined> {
    const [last] = await this.db.keyframes.where('[rec+t]').between([this.rec, -Infinity], [this.rec, t], true, true).reverse().limit(1).toArray();
    return last;
  }

  /** Every event after seq `after` (whose t is `afterT`) up to t = `until`, in one read through
   * the t index: what a seek applies after its keyframe, which keyframes every KEYFRAME_BYTES of
   * output keep small. */
  async span(after: number, afterT: number, until: number): Promise<Stored[]> {
    const page = await this.db.events.where('[rec+t]').between([this.rec, afterT], [this.rec, until], true, true).toArray();
    return page.filter((e) => e.seq > after);
  }

  /** Events after seq `after` with t ≤ `until`, in order, up to `limit`: fewer means there are
   * no more. Read in plain pages through the seq index (one IndexedDB getAll each, no cursor)
   * and cut at `until`, so a page reads at most `limit` events past it. */
  async events(after: number, until: number, limit = PAGE_EVENTS): Promise<Stored[]> {
    const page = await this.db.events.where('[rec+seq]').between([this.rec, after + 1], [this.rec, Infinity], true, true).limit(limit).toArray();
    const end = page.findIndex((e) => e.t > until);
    return end < 0 ? page : page.slice(0, end);
  }

  /** The first event after seq `after` (what comes next while playing). */
  next(after: number): Promise<Stored | undefined> {
    return this.db.events.where('[rec+seq]').between([this.rec, after + 1], [this.rec, Infinity], true, true).first();
  }

  /** t of the first message of a capability (where a player opens: the first terminal, not an
   * empty screen before the host said anything); reads only up to it. */
  async firstOf(cap: string): Promise<number | undefined> {
    const e = await this.db.events
      .where('[rec+seq]')
      .between([this.rec, Dexie.minKey], [this.rec, Dexie.maxKey])
      .filter((x) => x.k === 'msg' && x.cap === cap)
      .first();
    return e?.t;
  }

  /** Calls `fn` on every event (after seq `from`) in order, a page at a time, without holding them all (search,
   * export). Pages (IndexedDB getAll) rather than a cursor: one request per page, not per event. */
  async each(fn: (e: Stored) => void, from = 0): Promise<void> {
    for (let after = from; ; ) {
      const page = await this.db.events.where('[rec+seq]').between([this.rec, after + 1], [this.rec, Infinity], true, true).limit(PAGE_EVENTS).toArray();
      for (const e of page) fn(e);
      if (page.length < PAGE_EVENTS) return;
      after = page[page.length - 1].seq;
    }
  }

  /** The word-index pages with a word that starts with `word`, in order (search-index.ts), and
   * the pages too varied to index. */
  async pagesWith(word: string): Promise<WordPage[]> {
    const key = wordKey(this.rec, word);
    const [hits, any] = await Promise.all([
      this.db.words.where('keys').between(key, key + '\uffff', true, true).toArray(),
      this.db.words.where('keys').equals(wordKey(this.rec, ANY)).toArray()
    ]);
    const pages = new Map<number, WordPage>();
    for (const p of [...hits, ...any]) pages.set(p.from, p);
    return [...pages.values()].sort((a, b) => a.from - b.from);
  }

  /** Events with seq in [from, to]. */
  range(from: number, to: number): Promise<Stored[]> {
    return this.db.events.where('[rec+seq]').between([this.rec, from], [this.rec, to], true, true).toArray();
  }

  eachKeyframe(fn: (k: Keyframe) => void): Promise<void> {
    return this.db.keyframes.where('[rec+seq]').between([this.rec, Dexie.minKey], [this.rec, Dexie.maxKey]).each(fn);
  }
}
