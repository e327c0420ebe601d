/**
 * The recordings on this browser, in IndexedDB through Dexie. One database for all sessions:
 *
 *   recordings  RecordingMeta by id
 *   events      Stored by [rec+seq]; [rec+t] to stream a time range
 *   keyframes   Keyframe by [rec+seq]; [rec+t] to find the one before a seek target
 *   marks       the events that are timeline markers (joins, leaves, renames, markers), by
 *               [rec+seq], so that the player lists them without reading the whole recording
 *   words       the word index of the terminal text (search-index.ts), by [rec+from] and by word
 *
 * A batch writes its events, marks, keyframes and the updated meta in one transaction: a tab
 * closed or a quota hit mid-batch leaves the recording exactly as it was after the last batch.
 */
import { Dexie, type EntityTable, type Table } from 'dexie';
import type { Keyframe, RecordingMeta, Stored } from './events.ts';
import type { WordPage } from './search-index.ts';

export const DB_NAME = 'live-sessions-replay';

export class ReplayDb extends Dexie {
  recordings!: EntityTable<RecordingMeta, 'id'>;
  events!: Table<Stored, [string, number]>;
  keyframes!: Table<Keyframe, [string, number]>;
  marks!: Table<Stored, [string, number]>;
  words!: Table<WordPage, [string, number]>;

  /** `deps` for Node tests (fake-indexeddb); the browser's own IndexedDB otherwise */
  constructor(name = DB_NAME, deps?: { indexedDB: IDBFactory; IDBKeyRange: typeof IDBKeyRange }) {
    super(name, deps);
    this.version(1).stores({
      recordings: 'id, started',
      events: '[rec+seq], [rec+t]',
      keyframes: '[rec+seq], [rec+t]',
      marks: '[rec+seq]'
    });
    this.version(2).stores({ words: '[rec+from], *keys' });
  }

  /** Deletes one recording and everything in it, in one transaction. */
  async remove(rec: string): Promise<void> {
    await this.transaction('rw', [this.recordings, this.events, this.keyframes, this.marks, this.words], async () => {
      const range = (t: Table<unknown, [string, number]>, key = '[rec+seq]') => t.where(key).between([rec, Dexie.minKey], [rec, Dexie.maxKey]).delete();
      await Promise.all([range(this.events), range(this.keyframes), range(this.marks), range(this.words, '[rec+from]')]);
      await this.recordings.delete(rec);
    });
  }
}

/** True for the error IndexedDB throws when this origin's storage quota is used up. */
export function isQuotaError(e: unknown): boolean {
  const err = e as { name?: string; inner?: { name?: string } } | null;
  return err?.name === 'QuotaExceededError' || err?.inner?.name === 'QuotaExceededError';
}

let shared: ReplayDb | null = null;
/** This page's database (one connection per page). */
export function replayDb(): ReplayDb {
  return (shared ??= new ReplayDb());
}
