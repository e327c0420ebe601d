/**
 * The logs capability's `lines` message on the wire: the hot path of a log flood, so it is packed
 * rather than JSON. Log lines repeat their start (a timestamp, the same JSON keys) and come in
 * order, so each text goes as what follows the start it shares with the line before, and the
 * numbers as small deltas. Bytes on the data channel are what a flood costs at both ends.
 *
 * Byte 14 (written and read), every number an unsigned LEB128 varint (7 bits a byte, low first,
 * at most 8 bytes, at most 2^53 − 1) unless said otherwise:
 *
 *   gen skipped history:u8 n textBytes
 *   n rows of: src seq t lv:u8 shared rest
 *   utf-8 of every line's rest, back to back (the last textBytes bytes)
 *
 *   seq, t   d = the value − the line before's + 1 when it is not smaller (the first line's "line
 *            before" is 0) and d < 2^53, else 0 and then the value itself: lines of one source in order are
 *            1 byte each, a line with the same time as the one before is 1 byte
 *   shared   UTF-16 units the text has of the line before's start (0 for the first line; never
 *            half a surrogate pair), `rest` the units after them
 *
 * 80 bytes a bench line with fixed-width columns (byte 13), 61 with these.
 *
 * Byte 15: a byte-14 body (its type byte first), deflated (raw deflate, RFC 1951). A flood's lines
 * repeat far more than their shared starts: 61 → ~6 bytes a bench line, so the bulk lane's window
 * holds ten times the lines and both ends' WebRTC stacks move a tenth of the bytes. The host sends
 * it for bodies of at least MIN_DEFLATE_BYTES; the reader inflates (async: DecompressionStream)
 * to at most MAX_MESSAGE_BYTES, and the router keeps the capability's messages in order meanwhile.
 *
 * Byte 13 (read only: hosts before varints): gen:f64 skipped:f64 history:u8 n:u16, then columns
 * src:u32×n seq:f64×n t:f64×n lv:u8×n shared:u16×n rest:u16×n (big-endian), then the text.
 */
import { CAP, MAX_MESSAGE_BYTES } from './frames.ts';
import { utf8 } from './capability.ts';
import { inflateRaw } from './inflate.ts';
import { fail } from './validate.ts';
import { LEVELS, MAX_LINE_CHARS, MAX_LINES_PER_MESSAGE, type LogLine } from './logs.ts';

export const LINES_FIXED = 13;
export const LINES_VARINT = 14;
export const LINES_DEFLATED = 15;
/** A byte-14 message smaller than this goes as it is (a few lines: not worth an async decode). */
export const MIN_DEFLATE_BYTES = 2048;

export interface LinesMessage {
  type: 'lines';
  gen: number;
  lines: LogLine[];
  skipped: number;
  history: boolean;
}

const MAX_TIME = 8.64e15;
/** bytes of one row at most: src (u32) 5, seq 1 + 8, t 1 + 8, lv 1, shared and rest 2 each (≤ 8192) */
const MAX_ROW_BYTES = 5 + 9 + 9 + 1 + 2 + 2;
/** bytes of the head at most */
const MAX_HEAD_BYTES = 8 + 8 + 1 + 2 + 8;

/** UTF-16 units `b` starts with of `a` (never half a surrogate pair). */
function sharedStart(a: string, b: string): number {
  const max = Math.min(a.length, b.length);
  let i = 0;
  while (i < max && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i > 0 && i < b.length && (b.charCodeAt(i - 1) & 0xfc00) === 0xd800) i--;
  return i;
}

/** Writes `v` (a whole number from 0 to 2^53 − 1) at `at`; returns where the next byte goes. */
function putVarint(out: Uint8Array, at: number, v: number): number {
  while (v >= 0x80) {
    out[at++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  out[at++] = v;
  return at;
}

/** `value` after `prev`: its delta + 1 when it is not smaller, else 0 and itself. */
function putAfter(out: Uint8Array, at: number, value: number, prev: number): number {
  if (value >= prev && value - prev < Number.MAX_SAFE_INTEGER) return putVarint(out, at, value - prev + 1);
  out[at++] = 0;
  return putVarint(out, at, value);
}

function whole(v: number, max: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new RangeError(`a log line's "${what}" must be an integer from 0 to ${max}, not ${v}`);
  return v;
}

export function writeLines(m: LinesMessage): Uint8Array {
  const n = m.lines.length;
  if (n > MAX_LINES_PER_MESSAGE) throw new RangeError(`at most ${MAX_LINES_PER_MESSAGE} lines go in one message, not ${n}`);
  const rests: string[] = new Array(n);
  const shared: number[] = new Array(n);
  let prev = '';
  for (let i = 0; i < n; i++) {
    const text = m.lines[i].text;
    whole(text.length, MAX_LINE_CHARS, 'text length');
    const s = sharedStart(prev, text);
    shared[i] = s;
    rests[i] = s ? text.slice(s) : text;
    prev = text;
  }
  const text = utf8.encode(rests.join(''));
  const out = new Uint8Array(2 + MAX_HEAD_BYTES + n * MAX_ROW_BYTES + text.length);
  out[0] = CAP.LOGS;
  out[1] = LINES_VARINT;
  let at = putVarint(out, 2, whole(m.gen, Number.MAX_SAFE_INTEGER, 'gen'));
  at = putVarint(out, at, whole(m.skipped, Number.MAX_SAFE_INTEGER, 'skipped'));
  out[at++] = m.history ? 1 : 0;
  at = putVarint(out, at, n);
  at = putVarint(out, at, text.length);
  let seq = 0;
  let t = 0;
  for (let i = 0; i < n; i++) {
    const l = m.lines[i];
    at = putVarint(out, at, whole(l.src, 0xffffffff, 'src'));
    at = putAfter(out, at, whole(l.seq, Number.MAX_SAFE_INTEGER, 'seq'), seq);
    at = putAfter(out, at, whole(l.t, MAX_TIME, 't'), t);
    out[at++] = whole(l.lv, LEVELS.length, 'lv');
    at = putVarint(out, at, shared[i]);
    at = putVarint(out, at, rests[i].length);
    seq = l.seq;
    t = l.t;
  }
  out.set(text, at);
  return out.subarray(0, at + text.length);
}

/** Reads varints and bytes off a body, every read bounded. */
class Cursor {
  at = 0;
  readonly b: Uint8Array;
  constructor(b: Uint8Array) {
    this.b = b;
  }

  byte(what: string): number {
    if (this.at >= this.b.length) fail(`a lines message ends inside its "${what}"`, 'bad-frame');
    return this.b[this.at++];
  }

  varint(what: string, max: number): number {
    let v = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const x = this.byte(what);
      v += (x & 0x7f) * scale;
      if (x < 0x80) {
        if (v > max) fail(`"${what}" must be an integer from 0 to ${max}`);
        return v;
      }
      scale *= 0x80;
    }
    fail(`"${what}" is longer than 8 bytes`);
  }

  after(prev: number, what: string, max: number): number {
    const d = this.varint(what, Number.MAX_SAFE_INTEGER);
    if (d === 0) return this.varint(what, max);
    const v = prev + d - 1;
    if (v > max) fail(`"${what}" must be an integer from 0 to ${max}`);
    return v;
  }
}

/** The lines' texts out of one text block: each is what it shares with the line before it plus
 * its own rest, checked against the block. */
class Texts {
  #text: string;
  #prev = '';
  #from = 0;
  constructor(text: string) {
    this.#text = text;
  }
  /** line `i`'s text: `shared` characters of the line before, then `rest` of the block */
  next(i: number, shared: number, rest: number): string {
    if (shared > this.#prev.length) fail(`line ${i + 1} shares more of the line before it than there is`);
    if (shared + rest > MAX_LINE_CHARS) fail(`"text" is longer than ${MAX_LINE_CHARS} characters`);
    if (this.#from + rest > this.#text.length) fail("the lines' text is shorter than their lengths say");
    const own = this.#text.slice(this.#from, (this.#from += rest));
    return (this.#prev = shared ? this.#prev.slice(0, shared) + own : own);
  }
  end(): void {
    if (this.#from !== this.#text.length) fail("the lines' text is longer than their lengths say");
  }
}

/** Checks the rows' texts against the text block and makes the lines. */
function withTexts(rows: { src: number; seq: number; t: number; lv: number; shared: number; rest: number }[], text: string): LogLine[] {
  const texts = new Texts(text);
  const lines = rows.map(({ src, seq, t, lv, shared, rest }, i) => ({ src, seq, t, lv, text: texts.next(i, shared, rest) }));
  texts.end();
  return lines;
}

/** Byte 14: `b` is the body after the type byte. */
export function readLines(b: Uint8Array): LinesMessage {
  const c = new Cursor(b);
  const gen = c.varint('gen', Number.MAX_SAFE_INTEGER);
  const skipped = c.varint('skipped', Number.MAX_SAFE_INTEGER);
  const history = c.byte('history') === 1;
  const n = c.varint('n', 0xffff);
  if (n > MAX_LINES_PER_MESSAGE) fail(`"lines" must be a list of at most ${MAX_LINES_PER_MESSAGE}`);
  const textBytes = c.varint('text bytes', b.length);
  const textAt = b.length - textBytes;
  if (textAt < c.at) fail('a lines message is shorter than its text', 'bad-frame');
  const texts = new Texts(utf8.decode(b.subarray(textAt), 'log lines'));
  const lines: LogLine[] = new Array(n);
  let seq = 0;
  let t = 0;
  for (let i = 0; i < n; i++) {
    const src = c.varint('src', 0xffffffff);
    seq = c.after(seq, 'seq', Number.MAX_SAFE_INTEGER);
    t = c.after(t, 't', MAX_TIME);
    const lv = c.byte('lv');
    if (lv > LEVELS.length) fail(`"lv" must be an integer from 0 to ${LEVELS.length}`);
    const s = c.varint('shared', MAX_LINE_CHARS);
    const r = c.varint('rest', MAX_LINE_CHARS);
    if (c.at > textAt) fail('the lines\' numbers run into their text', 'bad-frame');
    lines[i] = { src, seq, t, lv, text: texts.next(i, s, r) };
  }
  if (c.at !== textAt) fail('the lines\' numbers end before their text', 'bad-frame');
  texts.end();
  return { type: 'lines', gen, lines, skipped, history };
}

const FIXED_HEAD_BYTES = 8 + 8 + 1 + 2;
const FIXED_LINE_BYTES = 4 + 8 + 8 + 1 + 2 + 2;

function wholeIn(v: number, max: number, what: string): number {
  if (!Number.isInteger(v) || v < 0 || v > max) fail(`"${what}" must be an integer from 0 to ${max}`);
  return v;
}

/** Byte 13 (hosts before varints): `b` is the body after the type byte. */
export function readFixedLines(b: Uint8Array): LinesMessage {
  if (b.length < FIXED_HEAD_BYTES) fail('a lines message is shorter than its header', 'bad-frame');
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const gen = wholeIn(v.getFloat64(0), Number.MAX_SAFE_INTEGER, 'gen');
  const skipped = wholeIn(v.getFloat64(8), Number.MAX_SAFE_INTEGER, 'skipped');
  const history = v.getUint8(16) === 1;
  const n = v.getUint16(17);
  if (n > MAX_LINES_PER_MESSAGE) fail(`"lines" must be a list of at most ${MAX_LINES_PER_MESSAGE}`);
  const textAt = FIXED_HEAD_BYTES + n * FIXED_LINE_BYTES;
  if (b.length < textAt) fail(`a lines message of ${n} lines is shorter than their columns`, 'bad-frame');
  // where each column starts
  const src = FIXED_HEAD_BYTES;
  const seq = src + 4 * n;
  const t = seq + 8 * n;
  const lv = t + 8 * n;
  const shared = lv + n;
  const rest = shared + 2 * n;
  const rows = new Array(n);
  for (let i = 0; i < n; i++) {
    rows[i] = {
      src: v.getUint32(src + 4 * i),
      seq: wholeIn(v.getFloat64(seq + 8 * i), Number.MAX_SAFE_INTEGER, 'seq'),
      t: wholeIn(v.getFloat64(t + 8 * i), MAX_TIME, 't'),
      lv: wholeIn(v.getUint8(lv + i), LEVELS.length, 'lv'),
      shared: v.getUint16(shared + 2 * i),
      rest: v.getUint16(rest + 2 * i)
    };
  }
  return { type: 'lines', gen, lines: withTexts(rows, utf8.decode(b.subarray(textAt), 'log lines')), skipped, history };
}

/** A byte-15 message around `deflated` (a byte-14 body, its type byte first, raw-deflated). */
export function writeDeflatedLines(deflated: Uint8Array): Uint8Array {
  const out = new Uint8Array(2 + deflated.length);
  out[0] = CAP.LOGS;
  out[1] = LINES_DEFLATED;
  out.set(deflated, 2);
  return out;
}

/** A byte-15 body → the byte-14 body it carries (null for any other body); rejects with a
 * ProtocolError when it does not inflate or inflates past MAX_MESSAGE_BYTES. */
export function unpackLines(body: Uint8Array): Promise<Uint8Array> | null {
  return body[0] === LINES_DEFLATED ? inflateRaw(body.subarray(1), MAX_MESSAGE_BYTES) : null;
}
