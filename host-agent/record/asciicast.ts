/**
 * One terminal as an asciicast v2 file (https://docs.asciinema.org/manual/asciicast/v2/): a header
 * line, then `[seconds, "o", text]` for output, `"r"` for resizes and `"m"` for markers, appended
 * through a write stream (never a synchronous write on the output path). A crash leaves at most
 * one line cut short at the end; players stop there.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';

export interface CastHeader {
  cols: number;
  rows: number;
  title: string;
}

export class CastWriter {
  readonly path: string;
  #out: WriteStream;
  #t0 = performance.now();
  #dec = new TextDecoder();
  #failed = false;

  constructor(path: string, h: CastHeader, onError: (e: Error) => void) {
    this.path = path;
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    this.#out = createWriteStream(path, { flags: 'wx', mode: 0o600 });
    this.#out.on('error', (e) => {
      // reported once; the session goes on without this recording
      if (!this.#failed) onError(e);
      this.#failed = true;
    });
    const header = { version: 2, width: h.cols, height: h.rows, timestamp: Math.floor(Date.now() / 1000), title: h.title, env: { TERM: 'xterm-256color' } };
    this.#out.write(JSON.stringify(header) + '\n');
  }

  #event(code: 'o' | 'r' | 'm', data: string): void {
    if (this.#failed) return;
    const t = Math.round(performance.now() - this.#t0) / 1000;
    this.#out.write(JSON.stringify([t, code, data]) + '\n');
  }

  output(data: Uint8Array): void {
    // a multi-byte character split across chunks is completed by the next chunk
    const text = this.#dec.decode(data, { stream: true });
    if (text) this.#event('o', text);
  }

  resize(cols: number, rows: number): void {
    this.#event('r', `${cols}x${rows}`);
  }

  marker(label: string): void {
    this.#event('m', label);
  }

  /** Resolves once everything is on disk. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (this.#out.destroyed) return resolve();
      this.#out.once('close', resolve);
      this.#out.end();
    });
  }
}
