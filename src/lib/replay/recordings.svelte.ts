/**
 * The /replay page's state: the recordings on this browser, the storage they use, and what can
 * be done with them (delete, export, import).
 */
import type { ReplayDb } from './db.ts';
import type { RecordingMeta } from './events.ts';
import { exportParts, fileName } from './file-format.ts';
import { importRecording, linesOf } from './import.ts';
import { RecordingReader } from './reader.ts';
import { storageInfo, type StorageInfo } from './storage.ts';
import { download } from './download.ts';

export class RecordingsState {
  list = $state<RecordingMeta[]>([]);
  storage = $state<StorageInfo | null>(null);
  error = $state<string | null>(null);
  /** what the last import did, for the page to say */
  notice = $state<string | null>(null);
  busy = $state(false);
  #db: ReplayDb;

  constructor(db: ReplayDb) {
    this.#db = db;
    void this.refresh();
  }

  async refresh(): Promise<void> {
    try {
      this.list = (await this.#db.recordings.orderBy('started').reverse().toArray()) as RecordingMeta[];
      this.storage = await storageInfo();
    } catch (e) {
      this.error = `Cannot read the recordings: ${(e as Error).message}`;
    }
  }

  async remove(id: string): Promise<void> {
    await this.#db.remove(id);
    await this.refresh();
  }

  async exportFile(id: string): Promise<void> {
    const reader = new RecordingReader(this.#db, id);
    const meta = await reader.meta();
    if (!meta) return;
    download(await exportParts(reader), fileName(meta), 'application/x-ndjson');
  }

  async importFile(file: File): Promise<string | null> {
    this.busy = true;
    this.error = this.notice = null;
    try {
      const meta = await importRecording(this.#db, linesOf(file.stream()));
      this.notice = `Imported ${file.name}: session ${meta.session}, ${meta.events} events.`;
      await this.refresh();
      return meta.id;
    } catch (e) {
      this.error = `${file.name} was not imported. ${(e as Error).message}`;
      return null;
    } finally {
      this.busy = false;
    }
  }
}
