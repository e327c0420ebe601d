/**
 * What a recorder's flush does with a batch of events: stores them, and replays them into the
 * recording's model (batch-model.ts: headless terminals for keyframes, the word index), writing
 * the events, marks, keyframes, word pages and the updated meta in transactions. The page runs it
 * in a worker (recorder-worker.ts) so that the live session's main thread only queues events.
 *
 * Lazy (the worker's): a batch's events are stored at once, in one transaction, but the model —
 * parsing every byte of output a second time — runs only once output is quiet, so that it does not
 * compete for the CPU with the live page parsing the same output. Output that pours on is modelled
 * anyway once it is more than MAX_LAG_BYTES or MAX_LAG_MS behind. A recording whose page closed
 * before its model caught up still plays to its last batch: a seek there starts from the last
 * keyframe, and a search reads the unindexed end through (meta.indexed says where it starts).
 */
import { isQuotaError, type ReplayDb } from './db.ts';
import { sizeOf, type Keyframe, type RecordingMeta, type Stored } from './events.ts';
import { isMark } from './markers.ts';
import type { WordPage } from './search-index.ts';
import type { XtermKit } from './term-model.ts';
import { BatchModel, outputBytes } from './batch-model.ts';

export { KEYFRAME_BYTES, KEYFRAME_MIN_MS, KEYFRAME_MS } from './batch-model.ts';

/** A batch (a second of recording) with less terminal output than this is quiet, bytes: modelling
 * that little costs the live page nothing it would notice. */
export const QUIET_BATCH_BYTES = 64 * 1024;
/** Output a lazy writer leaves unmodelled at most, bytes (memory, and what a seek into the end of a
 * recording cut before its model caught up must parse). */
export const MAX_LAG_BYTES = 32 * 1024 * 1024;
/** …and recording time, ms. */
export const MAX_LAG_MS = 60_000;

/** What writing a batch did: the recording's size after it, or why it could not be written. */
export type WriteResult = { ok: true; bytes: number } | { ok: false; full: boolean; message: string };

/** Where a recorder's batches go: a BatchWriter here, or one in a worker. */
export interface BatchSink {
  write(batch: Stored[]): Promise<WriteResult>;
  /** says in the recording why it stopped early */
  stopped(message: string): Promise<void>;
  dispose(): Promise<void>;
}

export interface WriterOptions {
  /** model only while output is quiet (see above); every batch at once otherwise */
  lazy?: boolean;
}

interface Modelled {
  keyframes: Keyframe[];
  pages: WordPage[];
}

export class BatchWriter implements BatchSink {
  #db: ReplayDb;
  #meta: RecordingMeta;
  #model: BatchModel;
  #lazy: boolean;
  /** stored batches not modelled yet, with their output bytes */
  #pending: { batch: Stored[]; bytes: number }[] = [];
  #pendingBytes = 0;
  /** the last batch had more than QUIET_BATCH_BYTES of output */
  #busy = false;
  #catching = false;
  /** what made the model's last transaction fail (the next write says so) */
  #failure: WriteResult | null = null;
  /** every transaction, in order: a write's and the model's never overlap */
  #work: Promise<unknown> = Promise.resolve();

  constructor(db: ReplayDb, meta: RecordingMeta, kit: XtermKit, o: WriterOptions = {}) {
    this.#db = db;
    this.#meta = meta;
    this.#model = new BatchModel(meta.id, kit);
    this.#lazy = o.lazy ?? false;
  }

  #run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#work.then(fn);
    this.#work = next.catch(() => undefined);
    return next;
  }

  write(batch: Stored[]): Promise<WriteResult> {
    return this.#run(async () => {
      if (this.#failure) return this.#failure;
      if (batch.length === 0) return { ok: true, bytes: this.#meta.bytes };
      if (!this.#lazy) return this.#commit(batch, await this.#model.add(batch));
      const r = await this.#commit(batch, null);
      if (!r.ok) return r;
      const bytes = batch.reduce((n, e) => n + outputBytes(e), 0);
      this.#pending.push({ batch, bytes });
      this.#pendingBytes += bytes;
      this.#busy = bytes >= QUIET_BATCH_BYTES;
      this.#catchUp();
      return r;
    });
  }

  #overdue(): boolean {
    const first = this.#pending[0]?.batch[0];
    const last = this.#pending.at(-1)?.batch.at(-1);
    return this.#pendingBytes >= MAX_LAG_BYTES || (!!first && !!last && last.t - first.t >= MAX_LAG_MS);
  }

  /** Models the pending batches one at a time, each after whatever was asked meanwhile (a write),
   * for as long as output is quiet or the model is too far behind. */
  #catchUp(): void {
    if (this.#catching) return;
    this.#catching = true;
    const step = async (): Promise<void> => {
      if (!this.#pending.length || this.#failure || (this.#busy && !this.#overdue())) {
        this.#catching = false;
        return;
      }
      await this.#modelNext();
      void this.#run(step);
    };
    void this.#run(step);
  }

  async #modelNext(): Promise<void> {
    const { batch, bytes } = this.#pending.shift()!;
    this.#pendingBytes -= bytes;
    const r = await this.#commit(null, await this.#model.add(batch));
    if (!r.ok) {
      this.#failure = r;
      this.#pending = [];
      this.#pendingBytes = 0;
    }
  }

  /** One transaction: a batch's events and marks, and/or what the model made of batches; the
   * meta after them. */
  async #commit(batch: Stored[] | null, m: Modelled | null): Promise<WriteResult> {
    const meta = { ...this.#meta };
    if (batch) {
      for (const e of batch) {
        meta.bytes += sizeOf(e);
        if (e.k === 'join' && !meta.participants.includes(e.who.name)) meta.participants = [...meta.participants, e.who.name];
        if (e.k === 'rename' && !meta.participants.includes(e.name)) meta.participants = [...meta.participants, e.name];
      }
      const last = batch[batch.length - 1];
      meta.length = last.t;
      meta.events = last.seq;
    }
    if (m) {
      for (const kf of m.keyframes) meta.bytes += sizeOf(kf.screens);
      meta.indexed = this.#model.seq;
    }
    const db = this.#db;
    try {
      await db.transaction('rw', [db.events, db.marks, db.keyframes, db.words, db.recordings], async () => {
        if (batch) {
          await db.events.bulkAdd(batch);
          const marks = batch.filter(isMark);
          if (marks.length) await db.marks.bulkAdd(marks);
        }
        if (m?.pages.length) await db.words.bulkAdd(m.pages);
        if (m?.keyframes.length) await db.keyframes.bulkAdd(m.keyframes);
        await db.recordings.put(meta);
      });
    } catch (e) {
      return { ok: false, full: isQuotaError(e), message: (e as Error).message };
    }
    this.#meta = meta;
    return { ok: true, bytes: meta.bytes };
  }

  /** Nothing more is written: the model's pending work is dropped (storage is full, or failing). */
  async stopped(message: string): Promise<void> {
    this.#pending = [];
    this.#pendingBytes = 0;
    this.#meta = { ...this.#meta, stopped: message };
    // after what is being written; when there is room for these few bytes
    await this.#run(() => this.#db.recordings.update(this.#meta.id, { stopped: message })).catch(() => undefined);
  }

  /** Models what is left (a recording that ends normally is whole), then lets go of the model. */
  async dispose(): Promise<void> {
    await this.#run(async () => {
      while (this.#pending.length && !this.#failure) await this.#modelNext();
    }).catch(() => undefined);
    this.#model.dispose();
  }
}
