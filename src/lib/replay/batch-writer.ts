/**
 * What a recorder's flush does with a batch of events: replays them into the recording's model
 * (headless terminals for keyframes, the word index), takes keyframes when due, and writes the
 * events, marks, keyframes, word pages and the updated meta in one transaction. It holds the
 * heavy part of recording (parsing every byte of output a second time), so the page runs it in a
 * worker (recorder-worker.ts) and the live session's main thread only queues events.
 */
import { isQuotaError, type ReplayDb } from './db.ts';
import { sizeOf, type Keyframe, type RecordingMeta, type Screen, type Stored } from './events.ts';
import { isMark } from './markers.ts';
import { ReplayModel } from './replay-state.ts';
import { WordIndexer } from './search-index.ts';
import { TermModel, type XtermKit } from './term-model.ts';

/** A keyframe after this much terminal output since the last one, bytes (bounds a seek's work:
 * a seek parses one keyframe and at most this much after it). Half of what it was, with half the
 * scrollback per keyframe (term-model.ts): the same storage, half the parsing per seek. */
export const KEYFRAME_BYTES = 64 * 1024;
/** …or after this long with any change, ms. */
export const KEYFRAME_MS = 10_000;
/** …but not more often than this, ms of recording time: a keyframe costs a serialize (a few ms),
 * and a terminal pouring out tens of MB/s would otherwise take hundreds a second. */
export const KEYFRAME_MIN_MS = 250;

/** What writing a batch did: the recording's size after it, or why it could not be written. */
export type WriteResult = { ok: true; bytes: number } | { ok: false; full: boolean; message: string };

/** Where a recorder's batches go: a BatchWriter here, or one in a worker. */
export interface BatchSink {
  write(batch: Stored[]): Promise<WriteResult>;
  /** says in the recording why it stopped early */
  stopped(message: string): Promise<void>;
  dispose(): Promise<void>;
}

export class BatchWriter implements BatchSink {
  #db: ReplayDb;
  #kit: XtermKit;
  #meta: RecordingMeta;
  #model: ReplayModel;
  #terms = new Map<number, TermModel>();
  #words: WordIndexer;
  #sinceKf = { bytes: 0, t: 0, changed: false };

  constructor(db: ReplayDb, meta: RecordingMeta, kit: XtermKit) {
    this.#db = db;
    this.#kit = kit;
    this.#meta = meta;
    this.#model = new ReplayModel((id) => this.#term(id));
    this.#words = new WordIndexer(meta.id);
  }

  #term(id: number): TermModel {
    let m = this.#terms.get(id);
    if (!m) this.#terms.set(id, (m = new TermModel(this.#kit, this.#model.sizes.get(id)?.cols, this.#model.sizes.get(id)?.rows)));
    return m;
  }

  async write(batch: Stored[]): Promise<WriteResult> {
    if (batch.length === 0) return { ok: true, bytes: this.#meta.bytes };
    let bytes = 0;
    const meta = this.#meta;
    const kfs: Keyframe[] = [];
    for (const e of batch) {
      bytes += sizeOf(e);
      this.#model.apply(e);
      this.#words.add(e);
      if (e.k === 'join' && !meta.participants.includes(e.who.name)) meta.participants = [...meta.participants, e.who.name];
      if (e.k === 'rename' && !meta.participants.includes(e.name)) meta.participants = [...meta.participants, e.name];
      this.#sinceKf.changed = true;
      if (e.k !== 'msg' || e.cap !== 'terminal') continue;
      const data = (e.msg as { data?: Uint8Array | string }).data;
      this.#sinceKf.bytes += data?.length ?? 0;
      // by bytes, inside the batch: a seek then never parses more than about KEYFRAME_BYTES,
      // however fast the output came
      if (this.#sinceKf.bytes >= KEYFRAME_BYTES && e.t - this.#sinceKf.t >= KEYFRAME_MIN_MS) kfs.push(await this.#keyframe(e));
    }
    const last = batch[batch.length - 1];
    if (this.#sinceKf.changed && last.t - this.#sinceKf.t >= KEYFRAME_MS) kfs.push(await this.#keyframe(last));
    for (const kf of kfs) bytes += sizeOf(kf.screens);
    const pages = this.#words.take();
    const next: RecordingMeta = { ...meta, length: last.t, events: last.seq, bytes: meta.bytes + bytes };
    const db = this.#db;
    try {
      await db.transaction('rw', [db.events, db.marks, db.keyframes, db.words, db.recordings], async () => {
        await db.events.bulkAdd(batch);
        if (pages.length) await db.words.bulkAdd(pages);
        const marks = batch.filter(isMark);
        if (marks.length) await db.marks.bulkAdd(marks);
        if (kfs.length) await db.keyframes.bulkAdd(kfs);
        await db.recordings.put(next);
      });
    } catch (e) {
      return { ok: false, full: isQuotaError(e), message: (e as Error).message };
    }
    this.#meta = next;
    return { ok: true, bytes: next.bytes };
  }

  /** The state after event `at`; restarts the count towards the next keyframe. */
  async #keyframe(at: Stored): Promise<Keyframe> {
    const screens: Screen[] = [];
    for (const [id, m] of this.#terms) {
      await m.settled();
      screens.push({ id, cols: m.cols, rows: m.rows, data: m.serialize() });
    }
    this.#sinceKf = { bytes: 0, t: at.t, changed: false };
    return { rec: this.#meta.id, seq: at.seq, t: at.t, ...this.#model.state(screens) };
  }

  async stopped(message: string): Promise<void> {
    // when there is room for these few bytes
    await this.#db.recordings.update(this.#meta.id, { stopped: message }).catch(() => undefined);
  }

  async dispose(): Promise<void> {
    for (const m of this.#terms.values()) m.dispose();
    this.#terms.clear();
  }
}
