/**
 * One terminal as an asciicast v2 file (https://docs.asciinema.org/manual/asciicast/v2/): a header
 * line, then `[seconds, "o", text]` for output, `"r"` for resizes and `"m"` for markers, appended
 * through a write stream (never a synchronous write on the output path). Output is batched for
 * BATCH_MS (one event, one write, instead of one per PTY read; at most BATCH_BYTES an event) and
 * redacted before it is written;
 * a word still arriving at the end of a batch waits for the next one, so a token split across two
 * reads is redacted whole. A crash leaves at most one line cut short at the end; players stop there.
 */
import { isUtf8 } from 'node:buffer';
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import type { Redactor } from '../redact/record-rules.ts';
import { charEnd } from './utf8.ts';

export interface CastHeader {
  cols: number;
  rows: number;
  title: string;
}

/** The cast writer thread's niceness (cast-worker.ts; Linux applies it to that thread alone). */
export const RECORD_NICE = 10;
/** Output is written at most this often, ms (players draw at 60 Hz anyway). */
export const BATCH_MS = 25;
/** A batch this large is written at once, bytes; also the most one event holds (a larger string
 * made V8 map and unmap memory for each: system time fell from 3–4 to 0.5 ms/MB with this bound). */
const BATCH_BYTES = 64 * 1024;
/** A last word at most this long waits for the rest of it (longer: it is no token we know). */
const HOLD_BYTES = 2048;

/** Milliseconds on a clock every thread shares (a worker's performance.now() starts elsewhere). */
export const now = (): number => performance.timeOrigin + performance.now();

const noRedaction: Redactor = Object.assign((s: string) => s, { firstCandidate: () => -1 });

/**
 * Output is kept as bytes and written as a latin1 string of them: JSON escapes only ASCII
 * (controls, quote, backslash), so a character ≥ 0x80 stands for one UTF-8 byte, goes through
 * JSON.stringify as it is, and the stream's latin1 encoding writes that very byte back. No UTF-8
 * decoding, no two-byte strings (both several times slower on coloured output); only text the
 * redaction may change (record-candidates.ts) is decoded, and output that is not UTF-8 (replaced
 * as a decoder would, U+FFFD).
 */
export class CastWriter {
  readonly path: string;
  #out: WriteStream;
  /** when the header's whole second began, on the clock of now(): event times count from it */
  #t0: number;
  #failed = false;
  #redact: Redactor;
  /** output not yet written, bytes [0, #len) */
  #in = Buffer.allocUnsafe(2 * BATCH_BYTES);
  #len = 0;
  #pendingAt = 0;
  /** the last event's time, s: asciicast times never go back */
  #lastT = 0;
  /** output arrived since the last tick */
  #fresh = false;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(path: string, h: CastHeader, onError: (e: Error) => void, redact: Redactor = noRedaction) {
    this.path = path;
    this.#redact = redact;
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    this.#out = createWriteStream(path, { flags: 'wx', mode: 0o600 });
    this.#out.on('error', (e) => {
      // reported once; the session goes on without this recording
      if (!this.#failed) onError(e);
      this.#failed = true;
      clearTimeout(this.#timer);
      this.#len = 0;
    });
    // asciicast's timestamp is whole seconds: times count from that second, so that a player
    // lining the cast up with the audit log (ms) is not up to a second off
    const wall = Date.now();
    this.#t0 = now() - (wall % 1000);
    const header = { version: 2, width: h.cols, height: h.rows, timestamp: Math.floor(wall / 1000), title: h.title, env: { TERM: 'xterm-256color' } };
    this.#out.write(JSON.stringify(header) + '\n');
  }

  /** `latin1`: `data` holds one UTF-8 byte per character (see the class comment). */
  #event(code: 'o' | 'r' | 'm', data: string, at = now(), latin1 = false): void {
    if (this.#failed) return;
    // Output is stamped on the main thread and may predate this writer, and held-back output is
    // written after later markers: players refuse a time that goes back, so none does.
    const t = (this.#lastT = Math.max(this.#lastT, Math.round(at - this.#t0) / 1000));
    this.#out.write(JSON.stringify([t, code, data]) + '\n', latin1 ? 'latin1' : 'utf8');
  }

  /** `at`: when the terminal printed it (ms, `now()`), if not just now */
  output(data: Uint8Array, at = now()): void {
    if (this.#failed || data.length === 0) return;
    // output printed a batch after what is pending (handed over together) is an event of its own
    if (this.#len !== 0 && at - this.#pendingAt >= BATCH_MS) {
      this.#flush(true);
      this.#pendingAt = at;
    }
    if (this.#len === 0) this.#pendingAt = at;
    if (this.#len + data.length > this.#in.length) {
      const grown = Buffer.allocUnsafe(Math.max(2 * this.#in.length, this.#len + data.length));
      this.#in.copy(grown, 0, 0, this.#len);
      this.#in = grown;
    }
    this.#in.set(data, this.#len);
    this.#len += data.length;
    this.#fresh = true;
    if (this.#len >= BATCH_BYTES) this.#flush(true);
    this.#timer ??= setTimeout(() => this.#tick(), BATCH_MS);
  }

  #tick(): void {
    this.#timer = undefined;
    // a word cut at the end waits one more batch, unless nothing came since (then only a
    // character still incomplete stays, until its last bytes come: they set the timer again)
    const hold = this.#fresh;
    this.#flush(hold);
    this.#fresh = false;
    if (hold && this.#len) this.#timer = setTimeout(() => this.#tick(), BATCH_MS);
  }

  /** Writes what is pending; `hold`: keep a last unfinished word back for the next batch; `all`:
   * also the bytes of a character not complete yet (the end). */
  #flush(hold: boolean, all = false): void {
    const b = this.#in;
    // a multi-byte character split across reads waits for the rest of it
    let end = all ? this.#len : charEnd(b, 0, this.#len);
    if (hold) {
      // the last word's start, looked for only as far back as a word is held
      let cut = end;
      const stop = Math.max(0, end - HOLD_BYTES - 1);
      while (cut > stop && !isBreak(b[cut - 1])) cut--;
      if (cut > stop || (cut === 0 && end <= HOLD_BYTES)) end = cut;
    }
    for (let s = 0; s < end; ) {
      let e = end;
      if (e - s > BATCH_BYTES) {
        // events of at most BATCH_BYTES, cut after a break where there is one near (a token stays whole)
        e = charEnd(b, s, s + BATCH_BYTES);
        let cut = e;
        while (cut > e - HOLD_BYTES && !isBreak(b[cut - 1])) cut--;
        if (cut > e - HOLD_BYTES) e = cut;
        if (e <= s) e = s + BATCH_BYTES;
      }
      this.#outputEvent(s, e);
      s = e;
    }
    b.copy(b, 0, end, this.#len);
    this.#len -= end;
    this.#pendingAt = now();
  }

  /** One output event of `#in[s, e)`, redacted. */
  #outputEvent(s: number, e: number): void {
    const b = this.#in;
    const at = this.#pendingAt;
    if (!isUtf8(b.subarray(s, e))) return this.#event('o', this.#redact(b.toString('utf8', s, e)), at);
    const first = this.#redact.firstCandidate ? this.#redact.firstCandidate(b, s, e) : s;
    if (first < 0) return this.#event('o', b.toString('latin1', s, e), at, true);
    // the engine's matches never start before the line they were found on: from there on it is text
    let cut = first;
    while (cut > s && b[cut - 1] !== 0x0a) cut--;
    const text = b.toString('utf8', cut, e);
    const redacted = this.#redact(text);
    const rest = redacted === text ? b.toString('latin1', cut, e) : Buffer.from(redacted).toString('latin1');
    this.#event('o', b.toString('latin1', s, cut) + rest, at, true);
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
    this.#flush(false, true);
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
