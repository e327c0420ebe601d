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
import { importHostRecord } from './host-record.ts';
import { browserKit } from './live.ts';

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

  /** A host's record (.cast files + .jsonl audit log) as a recording. */
  async importHostRecord(files: File[]): Promise<string | null> {
    this.busy = true;
    this.error = this.notice = null;
    try {
      const meta = await importHostRecord(this.#db, files, browserKit);
      this.notice = `Opened the host record of ${meta.session}: ${files.length} files, ${meta.events} events.`;
      await this.refresh();
      return meta.id;
    } catch (e) {
      this.error = `The host record was not opened. ${(e as Error).message}`;
      return null;
    } finally {
      this.busy = false;
    }
  }

  /** Files dropped on the page: a recording file, or the files of a host record. */
  dropped(files: File[]): void {
    if (files.length === 1 && !files[0].name.endsWith('.cast')) void this.importFile(files[0]);
    else if (files.length) void this.importHostRecord(files);
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
