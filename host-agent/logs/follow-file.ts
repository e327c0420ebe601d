/**
 * Follows one log file as `tail -F` does: across rotation (the file renamed away and a new one
 * created: the rest of the old one is read first, then the new one from its start) and truncation
 * (read again from the start). Starts with the file's last `startBytes` (the history window), from
 * the first whole line. A missing file is waited for. Reads in small slices and yields between
 * them, so a fast writer cannot hold the host's loop; a line longer than MAX_LINE_BYTES is cut.
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import { watch, type FSWatcher } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { dirname } from 'node:path';
import { setImmediate as yieldLoop } from 'node:timers/promises';

/** How often the file is looked at when no change event came (rename and create on some systems), ms. */
export const POLL_MS = 250;
/** One read, bytes: small enough that handling its lines never holds the loop for long. */
const SLICE_BYTES = 128 * 1024;
/** A line is cut past this (its rest is dropped up to the next newline). */
export const MAX_LINE_BYTES = 64 * 1024;

export interface FollowEvents {
  lines(lines: string[]): void;
  /** a promise to wait on before reading more (every participant is behind), or null to go on */
  gate?(): Promise<void> | null;
  /** `following`, or `waiting` with why (missing, unreadable), and notes (rotated, truncated) */
  state(state: 'following' | 'waiting', detail: string): void;
}

export class FileFollower {
  #path: string;
  #ev: FollowEvents;
  #fh: FileHandle | null = null;
  #ino = -1;
  #pos = 0;
  #partial = '';
  #dropping = false;
  #decoder = new StringDecoder('utf8');
  #timer: NodeJS.Timeout | null = null;
  #watcher: FSWatcher | null = null;
  #busy = false;
  #again = false;
  #disposed = false;
  #first = true;
  #startBytes: number;
  #lastState = '';

  constructor(path: string, startBytes: number, ev: FollowEvents) {
    this.#path = path;
    this.#startBytes = startBytes;
    this.#ev = ev;
    try {
      // a change event makes reading prompt; the poll catches what events miss
      this.#watcher = watch(dirname(path), { persistent: false }, () => this.poke());
      this.#watcher.on('error', () => {});
    } catch {
      /* the folder may not exist yet: polling covers it */
    }
    this.#timer = setInterval(() => this.poke(), POLL_MS);
    this.poke();
  }

  /** Looks at the file now (coalesced with a look already running). */
  poke(): void {
    if (this.#disposed) return;
    if (this.#busy) {
      this.#again = true;
      return;
    }
    this.#busy = true;
    void this.#check()
      .catch((e: Error) => this.#state('waiting', `cannot read: ${e.message}`))
      .finally(() => {
        this.#busy = false;
        if (this.#again) {
          this.#again = false;
          this.poke();
        }
      });
  }

  #state(s: 'following' | 'waiting', detail: string): void {
    if (this.#lastState === s + detail) return;
    this.#lastState = s + detail;
    this.#ev.state(s, detail);
  }

  async #check(): Promise<void> {
    let st;
    try {
      st = await stat(this.#path);
    } catch (e) {
      // rotated away and not recreated yet: finish the old file, then wait
      if (this.#fh) await this.#drain();
      await this.#close();
      this.#state('waiting', (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'the file does not exist (yet); waiting for it' : `cannot read: ${(e as Error).message}`);
      return;
    }
    if (!st.isFile()) return this.#state('waiting', 'not a regular file');
    if (this.#fh && st.ino !== this.#ino) {
      await this.#drain();
      await this.#close();
      this.#ev.state('following', 'rotated: following the new file');
    }
    if (!this.#fh) {
      this.#fh = await open(this.#path, 'r');
      const real = await this.#fh.stat();
      this.#ino = real.ino;
      this.#pos = this.#first ? Math.max(0, real.size - this.#startBytes) : 0;
      // started inside the window: skip to the first whole line
      this.#dropping = this.#pos > 0;
      this.#first = false;
    } else if (st.size < this.#pos) {
      this.#pos = 0;
      this.#partial = '';
      this.#ev.state('following', 'truncated: reading it from the start');
    }
    this.#state('following', '');
    await this.#drain();
  }

  /** Reads from the position to the end, one slice at a time. */
  async #drain(): Promise<void> {
    const fh = this.#fh;
    if (!fh) return;
    const buf = Buffer.allocUnsafe(SLICE_BYTES);
    for (;;) {
      // the file is the buffer: while nobody can take more, read no more
      for (let g = this.#ev.gate?.(); g; g = this.#ev.gate?.()) await g;
      if (this.#disposed) return;
      const { bytesRead } = await fh.read(buf, 0, SLICE_BYTES, this.#pos);
      if (bytesRead === 0) return;
      this.#pos += bytesRead;
      this.#split(this.#decoder.write(buf.subarray(0, bytesRead)));
      if (bytesRead < SLICE_BYTES) return;
      await yieldLoop();
    }
  }

  #split(text: string): void {
    const out: string[] = [];
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      let line = this.#partial + text.slice(start, nl);
      this.#partial = '';
      start = nl + 1;
      if (this.#dropping) {
        this.#dropping = false;
        continue;
      }
      if (line.endsWith('\r')) line = line.slice(0, -1);
      out.push(line);
    }
    const rest = text.slice(start);
    if (this.#partial.length + rest.length > MAX_LINE_BYTES) {
      // an endless line: keep its head as one line, drop the rest up to the next newline
      if (!this.#dropping) out.push((this.#partial + rest).slice(0, MAX_LINE_BYTES));
      this.#partial = '';
      this.#dropping = true;
    } else this.#partial += rest;
    if (out.length) this.#ev.lines(out);
  }

  async #close(): Promise<void> {
    const fh = this.#fh;
    this.#fh = null;
    this.#ino = -1;
    this.#pos = 0;
    this.#partial = '';
    this.#decoder = new StringDecoder('utf8');
    await fh?.close().catch(() => {});
  }

  dispose(): void {
    this.#disposed = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#watcher?.close();
    void this.#close();
  }
}
