/**
 * One terminal as an asciicast v2 file (https://docs.asciinema.org/manual/asciicast/v2/): a header
 * line, then `[seconds, "o", text]` for output, `"r"` for resizes and `"m"` for markers, appended
 * with synchronous writes: it runs on the cast thread only (cast-worker.ts), never on the output
 * path, and a write stream's buffering, callbacks and a fresh buffer per line cost that thread (and
 * libuv's pool, at full priority) about as much as the JSON itself. Output is batched for
 * BATCH_MS (one event, one write, instead of one per PTY read; at most BATCH_BYTES an event) and
 * redacted before it is written;
 * a word still arriving at the end of a batch waits for the next one, so a token split across two
 * reads is redacted whole. A crash leaves at most one line cut short at the end; players stop there.
 */
import { isUtf8 } from 'node:buffer';
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
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
  /** the file, -1 once failed or closed */
  #fd = -1;
  /** each line is laid out here and written from here (reused: the write is done on return) */
  #line = Buffer.allocUnsafe(4096);
  #onError: (e: Error) => void;
  /** when the header's whole second began, on the clock of now(): event times count from it */
  #t0: number;
  #failed = false;
  #redact: Redactor;
  /** output not yet written, bytes [0, #len) */
  #in = Buffer.allocUnsafe(2 * BATCH_BYTES);
  #len = 0;
  #pendingAt = 0;
  /** when the last output came (`at` of the last output()) */
  #lastAt = 0;
  /** the last event's time, s: asciicast times never go back */
  #lastT = 0;
  /** output arrived since the last tick */
  #fresh = false;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(path: string, h: CastHeader, onError: (e: Error) => void, redact: Redactor = noRedaction) {
    this.path = path;
    this.#redact = redact;
    this.#onError = onError;
    try {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      this.#fd = openSync(path, 'wx', 0o600);
    } catch (e) {
      this.#fail(e as Error);
    }
    // asciicast's timestamp is whole seconds: times count from that second, so that a player
    // lining the cast up with the audit log (ms) is not up to a second off
    const wall = Date.now();
    this.#t0 = now() - (wall % 1000);
    const header = { version: 2, width: h.cols, height: h.rows, timestamp: Math.floor(wall / 1000), title: h.title, env: { TERM: 'xterm-256color' } };
    this.#write('', JSON.stringify(header), 'utf8', '\n');
  }

  /** Reported once; the session goes on without this recording. */
  #fail(e: Error): void {
    if (!this.#failed) this.#onError(e);
    this.#failed = true;
    clearTimeout(this.#timer);
    this.#len = 0;
    this.#close();
  }

  #close(): void {
    try {
      if (this.#fd >= 0) closeSync(this.#fd);
    } catch {
      // (nothing more to write to it either way)
    }
    this.#fd = -1;
  }

  /** Appends a line: `head` and `tail` ASCII, `text` in `enc` (`latin1`: one byte per character),
   * each copied into the line's buffer as it is (no string made of the three). */
  #write(head: string, text: string, enc: 'latin1' | 'utf8', tail: string): void {
    if (this.#failed || this.#fd < 0) return;
    const need = head.length + (enc === 'latin1' ? text.length : Buffer.byteLength(text)) + tail.length;
    if (need > this.#line.length) this.#line = Buffer.allocUnsafe(Math.max(need, 2 * this.#line.length));
    const b = this.#line;
    let len = b.write(head, 0, 'latin1');
    len += enc === 'latin1' ? b.write(text, len, 'latin1') : b.write(text, len, 'utf8');
    len += b.write(tail, len, 'latin1');
    try {
      for (let at = 0; at < len; ) at += writeSync(this.#fd, b, at, len - at);
    } catch (e) {
      this.#fail(e as Error);
    }
  }

  /** `latin1`: `data` holds one UTF-8 byte per character (see the class comment). */
  #event(code: 'o' | 'r' | 'm', data: string, at = now(), latin1 = false): void {
    if (this.#failed) return;
    // Output is stamped on the main thread and may predate this writer, and held-back output is
    // written after later markers: players refuse a time that goes back, so none does.
    const t = (this.#lastT = Math.max(this.#lastT, Math.round(at - this.#t0) / 1000));
    this.#write(`[${JSON.stringify(t)},"${code}",`, JSON.stringify(data), latin1 ? 'latin1' : 'utf8', ']\n');
  }

  /** `at`: when the terminal printed it (ms, `now()`), if not just now */
  output(data: Uint8Array, at = now()): void {
    if (this.#failed || data.length === 0) return;
    this.#lastAt = at;
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
    // what stays (a held word) keeps the time it came, not this flush's: this thread runs niced and
    // may tick late, and output joining the held word must not be stamped later than it was printed
    // (a player lines the cast up with the audit log: a command's end must not precede its output)
    this.#pendingAt = this.#lastAt;
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
    this.#close();
    return Promise.resolve();
  }
}

/** A space, tab, CR or LF: where a word (a token to redact whole) ends. */
function isBreak(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}
