/**
 * Checking an audit log's hash chain (chain.ts) from its bytes, as they arrive: a file is read in
 * large blocks and each complete line is checked where it lies in the block, without decoding it to
 * a string, parsing or printing its JSON again (Chain.next writes `{"seq":N,"prev":"…",…,"hash":"…"}`
 * and the hash covers the exact bytes before `,"hash"`). Only a line that fails is decoded, to
 * say why.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { digestBytes, GENESIS, type Chained } from './chain.ts';

export type Verdict =
  | { ok: true; lines: number; last: string; first: string; cutLast: boolean }
  | { ok: false; lines: number; line: number; why: string };

/** Longer than this is no line the host writes (input chunks are 4096 characters at most): a file
 * without newlines is refused here, not gathered whole. */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;
const HEAD = Buffer.from('{"seq":');
const PREV = Buffer.from(',"prev":"');
const HASH = Buffer.from(',"hash":"');
/** `,"hash":"<64 hex>"}` */
const TAIL_BYTES = HASH.length + 64 + 2;
const HEX = new Uint8Array(256);
for (const c of '0123456789abcdef') HEX[c.charCodeAt(0)] = 1;

function isHex(b: Uint8Array, at: number): boolean {
  for (let i = at; i < at + 64; i++) if (HEX[b[i]] === 0) return false;
  return true;
}

function startsWith(b: Uint8Array, at: number, what: Uint8Array): boolean {
  for (let i = 0; i < what.length; i++) if (b[at + i] !== what[i]) return false;
  return true;
}

/** Feed it a log's bytes in order (push), then end(): the verdict. */
export class ChainVerifier {
  /** bytes of a line not complete yet */
  #rest: Buffer = Buffer.alloc(0);
  /** the previous line's hash, as its 64 hex bytes (null before the first line) */
  #prev: Buffer | null = null;
  #first = GENESIS;
  #seq = 0;
  #lines = 0;
  #broken: Verdict | null = null;
  /** what is hashed for a line: its prev, '\n', its text up to `,"hash"`, '}' */
  #scratch = Buffer.allocUnsafe(64 * 1024);

  /** Whether the chain broke already (nothing more needs reading). */
  get broken(): boolean {
    return this.#broken !== null;
  }

  push(chunk: Uint8Array): void {
    if (this.#broken) return;
    let b = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.#rest.length) b = Buffer.concat([this.#rest, b]);
    let s = 0;
    for (let nl = b.indexOf(0x0a, s); nl >= 0; nl = b.indexOf(0x0a, s)) {
      if (!this.#line(b, s, nl)) return;
      s = nl + 1;
    }
    if (b.length - s > MAX_LINE_BYTES) {
      this.#break(this.#lines + 1, `is longer than ${MAX_LINE_BYTES >> 20} MiB without a newline (not a line the host writes)`);
      return;
    }
    // (copied: the caller may reuse its block)
    this.#rest = Buffer.from(b.subarray(s));
  }

  end(): Verdict {
    if (this.#broken) return this.#broken;
    const cutLast = this.#rest.length > 0;
    return { ok: true, lines: this.#lines, last: this.#prev?.toString('latin1') ?? GENESIS, first: this.#first, cutLast };
  }

  /** Checks the line `b[s, e)`; false once the chain broke there. */
  #line(b: Buffer, s: number, e: number): boolean {
    const n = this.#lines + 1;
    const len = e - s;
    // `{"seq":N,"prev":"<64>"` … `,"hash":"<64>"}`
    let d = s + HEAD.length;
    let seq = 0;
    while (d < e && d - s - HEAD.length < 15 && b[d] >= 0x30 && b[d] <= 0x39) seq = seq * 10 + b[d++] - 0x30;
    const p = d + PREV.length;
    const t = e - TAIL_BYTES;
    if (len <= TAIL_BYTES || d === s + HEAD.length || !startsWith(b, s, HEAD) || !startsWith(b, d, PREV) || p + 65 > t || !isHex(b, p) || b[p + 64] !== 0x22 || !startsWith(b, t, HASH) || !isHex(b, t + HASH.length) || b[e - 2] !== 0x22 || b[e - 1] !== 0x7d) {
      return this.#break(n, whyNotChained(b.toString('utf8', s, e)));
    }
    if (this.#prev === null) this.#first = b.toString('latin1', p, p + 64);
    else if (b.compare(this.#prev, 0, 64, p, p + 64) !== 0) return this.#break(n, `does not follow line ${n - 1} (a line was deleted, moved or replaced before it)`);
    if (seq !== this.#seq + 1) return this.#break(n, `has seq ${seq} where ${this.#seq + 1} was due (lines before it deleted or reordered)`);
    // hashed: prev, '\n', the line up to `,"hash"`, then '}'
    const body = t - s;
    if (this.#scratch.length < 66 + body) this.#scratch = Buffer.allocUnsafe(2 * (66 + body));
    const x = this.#scratch;
    b.copy(x, 0, p, p + 64);
    x[64] = 0x0a;
    b.copy(x, 65, s, t);
    x[65 + body] = 0x7d;
    const h = t + HASH.length;
    if (digestBytes(x.subarray(0, 66 + body)) !== b.toString('latin1', h, h + 64)) return this.#break(n, 'was edited (its hash does not match its content)');
    this.#prev ??= Buffer.allocUnsafe(64);
    b.copy(this.#prev, 0, h, h + 64);
    this.#seq = seq;
    this.#lines = n;
    return true;
  }

  #break(line: number, why: string): false {
    this.#broken = { ok: false, lines: this.#lines, line, why };
    return false;
  }
}

/** Why a line that is not as Chain.next writes it does not verify. */
function whyNotChained(line: string): string {
  let rec: Partial<Chained>;
  try {
    rec = JSON.parse(line) as Partial<Chained>;
  } catch {
    return 'is not a complete JSON line (cut or edited)';
  }
  if (typeof rec.hash !== 'string' || typeof rec.prev !== 'string' || typeof rec.seq !== 'number') return 'has no seq, prev and hash';
  return 'was edited (its hash does not match its content)';
}

/**
 * Checks a whole log. `lines` counts the lines that verified. A final line without its newline
 * (a crash mid-write) is reported as `cutLast`, not as a break.
 */
export function verifyChain(log: string | Uint8Array): Verdict {
  const v = new ChainVerifier();
  v.push(typeof log === 'string' ? Buffer.from(log) : log);
  return v.end();
}

/** Blocks read at a time from a file, bytes (a few system calls per 100 MB; lines are checked in place). */
const BLOCK_BYTES = 4 * 1024 * 1024;

/** Checks the log in file `path` (what `live-sessions audit verify` runs), reading it in blocks and
 * stopping at the first break. Throws what reading throws. */
export function verifyFile(path: string): Verdict {
  const fd = openSync(path, 'r');
  try {
    const v = new ChainVerifier();
    const block = Buffer.allocUnsafe(BLOCK_BYTES);
    for (let got = readSync(fd, block); got > 0 && !v.broken; got = readSync(fd, block)) v.push(block.subarray(0, got));
    return v.end();
  } finally {
    closeSync(fd);
  }
}
