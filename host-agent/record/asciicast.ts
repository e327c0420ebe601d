/**
 * One terminal as an asciicast v2 file (https://docs.asciinema.org/manual/asciicast/v2/): a header
 * line, then `[seconds, "o", text]` for output, `"r"` for resizes and `"m"` for markers, appended
 * through a write stream (never a synchronous write on the output path). Output is batched for
 * BATCH_MS (one event, one write, instead of one per PTY read) and redacted before it is written;
 * a word still arriving at the end of a batch waits for the next one, so a token split across two
 * reads is redacted whole. A crash leaves at most one line cut short at the end; players stop there.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import type { Redactor } from '../redact/record-rules.ts';

export interface CastHeader {
  cols: number;
  rows: number;
  title: string;
}

/** The cast writer thread's niceness (cast-worker.ts; Linux applies it to that thread alone). */
export const RECORD_NICE = 10;
/** Output is written at most this often, ms (players draw at 60 Hz anyway). */
export const BATCH_MS = 25;
/** A batch this large is written at once, characters. */
const BATCH_CHARS = 64 * 1024;
/** A last word at most this long waits for the rest of it (longer: it is no token we know). */
const HOLD_CHARS = 2048;

/** Milliseconds on a clock every thread shares (a worker's performance.now() starts elsewhere). */
export const now = (): number => performance.timeOrigin + performance.now();

export class CastWriter {
  readonly path: string;
  #out: WriteStream;
  #t0 = now();
  #dec = new TextDecoder();
  #failed = false;
  #redact: Redactor;
  #pending = '';
  #pendingAt = 0;
  /** the last event's time, s: asciicast times never go back */
  #lastT = 0;
  /** output arrived since the last tick */
  #fresh = false;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(path: string, h: CastHeader, onError: (e: Error) => void, redact: Redactor = (s) => s) {
    this.path = path;
    this.#redact = redact;
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    this.#out = createWriteStream(path, { flags: 'wx', mode: 0o600 });
    this.#out.on('error', (e) => {
      // reported once; the session goes on without this recording
      if (!this.#failed) onError(e);
      this.#failed = true;
      clearTimeout(this.#timer);
      this.#pending = '';
    });
    const header = { version: 2, width: h.cols, height: h.rows, timestamp: Math.floor(Date.now() / 1000), title: h.title, env: { TERM: 'xterm-256color' } };
    this.#out.write(JSON.stringify(header) + '\n');
  }

  #event(code: 'o' | 'r' | 'm', data: string, at = now()): void {
    if (this.#failed) return;
    // Output is stamped on the main thread and may predate this writer, and held-back output is
    // written after later markers: players refuse a time that goes back, so none does.
    const t = (this.#lastT = Math.max(this.#lastT, Math.round(at - this.#t0) / 1000));
    this.#out.write(JSON.stringify([t, code, data]) + '\n');
  }

  /** `at`: when the terminal printed it (ms, `now()`), if not just now */
  output(data: Uint8Array, at = now()): void {
    if (this.#failed) return;
    // a multi-byte character split across chunks is completed by the next chunk
    const text = this.#dec.decode(data, { stream: true });
    if (!text) return;
    if (!this.#pending) this.#pendingAt = at;
    this.#pending += text;
    this.#fresh = true;
    if (this.#pending.length >= BATCH_CHARS) this.#flush(true);
    this.#timer ??= setTimeout(() => this.#tick(), BATCH_MS);
  }

  #tick(): void {
    this.#timer = undefined;
    // a word cut at the end waits one more batch, unless nothing came since
    this.#flush(this.#fresh);
    this.#fresh = false;
    if (this.#pending) this.#timer = setTimeout(() => this.#tick(), BATCH_MS);
  }

  /** Writes what is pending; `hold`: keep a last unfinished word back for the next batch. */
  #flush(hold: boolean): void {
    let out = this.#pending;
    let keep = '';
    if (hold) {
      // the last word's start, looked for only as far back as a word is held (four lastIndexOf
      // scanned all of a MB of output without spaces)
      let cut = out.length;
      const stop = Math.max(0, out.length - HOLD_CHARS - 1);
      while (cut > stop && !isBreak(out.charCodeAt(cut - 1))) cut--;
      if (cut > stop || (cut === 0 && out.length <= HOLD_CHARS)) {
        keep = out.slice(cut);
        out = out.slice(0, cut);
      }
    }
    if (out) this.#event('o', this.#redact(out), this.#pendingAt);
    this.#pending = keep;
    this.#pendingAt = now();
  }

  resize(cols: number, rows: number): void {
    this.#flush(false);
    this.#event('r', `${cols}x${rows}`);
  }

  marker(label: string): void {
    this.#flush(false);
    this.#event('m', this.#redact(label));
  }

  /** Resolves once everything is on disk. */
  close(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#flush(false);
    return new Promise((resolve) => {
      if (this.#out.destroyed) return resolve();
      this.#out.once('close', resolve);
      this.#out.end();
    });
  }
}

/** A space, tab, CR or LF: where a word (a token to redact whole) ends. */
function isBreak(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}
